"""What an extraction did (:class:`Rapport`, printed by the CLI) and how its Parquet outputs are written.

Outputs are written all or nothing (every file to a temporary name,
:func:`orleans_gov.base.fichiers.chemin_temporaire`, then all renamed in by :func:`installer_ensemble`, Ctrl-C
held back) with pandas' schema metadata kept, so that a reader gets back the dtypes of
:func:`orleans_gov.sources.dgfip.read_comptes_communes` (text columns as ``string`` with ``pd.NA``).
:func:`orleans_gov.base.fichiers.ecrire_parquet` drops that metadata on purpose (it writes the ``data/processed``
tables, rebuilt byte for byte); its files read back with ``str`` (NaN) text columns and ``float64`` for nullable
integers, which the extraction's tests reject (same frame as the reader's). These files are extracts, not
``data/processed`` tables: they keep the bytes of the pandas writer — written by pandas, or by pyarrow alone
from plain Python columns (:func:`ecrire_table`, ``extraire comptes``: same bytes, pandas not imported) — or,
for the 390 000 commune totals of ``extraire balances``, DuckDB's writer with the same pandas metadata
(:func:`copier_parquet`: the same frame read back).
"""
from __future__ import annotations

import array
import json
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import chemin_temporaire, remplacer_atomique

if TYPE_CHECKING:   # pandas/pyarrow are imported where used: the extraction starts its reads before them
    import pandas as pd


def verifier_dossier_sortie(sortie: Path) -> None:
    """:class:`ErreurDonnees` when ``sortie`` — or the first of its parents that exists — is not a folder
    (``--sortie`` naming an existing file): checked before any long read or download, nothing is created."""
    sortie = Path(sortie)
    existant = next((p for p in (sortie, *sortie.parents) if p.exists() or p.is_symlink()), None)
    if existant is not None and not existant.is_dir():
        sous = "" if existant == sortie else f" : « {sortie} » est sous ce fichier"
        raise ErreurDonnees("le chemin de sortie existe et n'est pas un dossier (--sortie doit désigner un dossier, "
                            f"existant ou à créer){sous}", fichier=existant)


@contextmanager
def sigint_differe() -> Iterator[list[int]]:
    """Ctrl-C received inside is held back (main thread only; the signals received are appended to the
    yielded list), so that a few renames run to their end: an interruption never leaves half of a set of
    files installed. Once they are done the set is complete: the caller decides what to say."""
    recus: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield recus
        return
    ancien = signal.signal(signal.SIGINT, lambda signum, _cadre: recus.append(signum))
    try:
        yield recus
    finally:
        signal.signal(signal.SIGINT, ancien)


def installer_ensemble(prets: list[tuple[Path, Path]]) -> bool:
    """Rename every written temporary onto its target (:func:`~orleans_gov.base.fichiers.remplacer_atomique`)
    with Ctrl-C held back; returns True when a Ctrl-C arrived meanwhile (the set is installed whole)."""
    with sigint_differe() as recus:
        for tmp, cible in prets:
            remplacer_atomique(tmp, cible)
    return bool(recus)


@lru_cache(maxsize=None)
def version_installee(paquet: str) -> str:
    """Installed version of ``paquet`` read from its ``<paquet>-<version>.dist-info`` folder next to it, without
    importing it nor :mod:`importlib.metadata` (≈ 45 ms CPU to import); :func:`importlib.metadata.version` when
    there is no such folder."""
    spec = find_spec(paquet)
    if spec is not None and spec.origin:
        site = Path(spec.origin).parent.parent
        noms = sorted(p.name for p in site.glob(f"{paquet}-*.dist-info"))
        if len(noms) == 1:
            return noms[0][len(paquet) + 1:-len(".dist-info")]
    from importlib.metadata import version  # rare fallback (other layouts), standard library
    return version(paquet)


_TYPES_PANDAS = {"string": ("object", "string"), "int64": ("int64", "int64"), "float64": ("float64", "float64")}
"""dtype -> (``pandas_type``, ``numpy_type``) of pyarrow's pandas metadata (pyarrow.pandas_compat), for the
dtypes of the extraction outputs."""
_TYPES_TABLE = {**_TYPES_PANDAS, "str": ("object", "str"), "object": ("unicode", "object")}
"""The same for :func:`ecrire_table`, which also writes pandas 3's default ``str`` columns (a column assigned a
Python string) and ``object`` columns of Python strings (never empty: the metadata of an all-missing ``object``
column would say ``empty``)."""


def metadonnees_pandas(dtypes: Mapping[str, str]) -> str:
    """The ``pandas`` schema metadata that ``DataFrame.to_parquet(index=False)`` writes for a frame of these
    column dtypes (data-independent: names, dtypes, library versions).

    For ``string``, ``int64`` and ``float64`` columns (the extraction outputs) the JSON is written here, with
    the installed pandas and pyarrow versions, without importing either (≈ 0.4 s CPU: ``extraire balances``
    needs neither otherwise); a test checks it is, character for character, the one pyarrow builds from an
    empty pandas frame — which any other dtype still uses."""
    if all(t in _TYPES_PANDAS for t in dtypes.values()):
        return _metadonnees(dtypes, _TYPES_PANDAS)
    import pandas as pd  # heavy third-party imports kept lazy (module docstring of orleans_gov.sources.nationaux)
    import pyarrow as pa

    vide = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})
    return pa.Schema.from_pandas(vide, preserve_index=False).metadata[b"pandas"].decode("utf-8")


def _metadonnees(dtypes: Mapping[str, str], types: Mapping[str, tuple[str, str]]) -> str:
    """The JSON of :func:`metadonnees_pandas` for dtypes of ``types``."""
    colonnes = [{"name": c, "field_name": c, "pandas_type": types[t][0], "numpy_type": types[t][1],
                 "metadata": None} for c, t in dtypes.items()]
    return json.dumps({"index_columns": [], "column_indexes": [], "columns": colonnes, "attributes": {},
                       "creator": {"library": "pyarrow", "version": version_installee("pyarrow")},
                       "pandas_version": version_installee("pandas")})


def _tableau_fleche(pa, type_, valeurs: list):
    """An Arrow array of ``type_`` built from its buffers (validity bitmap, offsets, data). ``pa.array`` would
    import pandas (pyarrow checks every input for pandas objects), which :func:`ecrire_table` avoids."""
    if type_ == pa.float64():
        valeurs = [None if v is not None and v != v else v for v in valeurs]    # NaN -> missing, as to_parquet
    n = len(valeurs)
    manquants = sum(v is None for v in valeurs)
    validite = None
    if manquants:
        bits = bytearray((n + 7) // 8)
        for i, v in enumerate(valeurs):
            if v is not None:
                bits[i >> 3] |= 1 << (i & 7)
        validite = pa.py_buffer(bytes(bits))
    if type_ in (pa.float64(), pa.int64()):
        code, zero = ("d", 0.0) if type_ == pa.float64() else ("q", 0)
        donnees = array.array(code, [zero if v is None else v for v in valeurs])
        return pa.Array.from_buffers(type_, n, [validite, pa.py_buffer(donnees.tobytes())], null_count=manquants)
    octets = [b"" if v is None else v.encode("utf-8") for v in valeurs]
    decalages = array.array("q" if type_ == pa.large_string() else "i", [0])
    for o in octets:
        decalages.append(decalages[-1] + len(o))
    return pa.Array.from_buffers(type_, n, [validite, pa.py_buffer(decalages.tobytes()), pa.py_buffer(b"".join(octets))],
                                 null_count=manquants)


def ecrire_table(colonnes: Mapping[str, tuple[str, list]], chemin: Path) -> int:
    """Write the columns ``name -> (pandas dtype, Python values)`` to ``chemin`` with pyarrow alone, byte for
    byte the file that ``DataFrame.to_parquet(chemin, index=False)`` writes for the frame of these columns and
    dtypes (same Arrow types — ``string``/``str`` as ``large_string``, ``object`` strings as ``string`` —,
    same pandas metadata, same writer and options: snappy). Missing values are None (``NaN`` in a ``float64``
    column becomes missing, as ``to_parquet`` does). ``extraire comptes`` writes its outputs so, without
    importing pandas (≈ 0.45 s CPU; a test compares the bytes with ``to_parquet``'s). Returns the rows."""
    import pyarrow as pa  # heavy third-party imports kept lazy (module docstring of orleans_gov.sources.nationaux)
    import pyarrow.parquet as pq

    fleches = {"string": pa.large_string(), "str": pa.large_string(), "object": pa.string(), "int64": pa.int64(),
               "float64": pa.float64()}
    dtypes = {c: t for c, (t, _v) in colonnes.items()}
    schema = pa.schema([pa.field(c, fleches[t]) for c, t in dtypes.items()],
                       metadata={b"pandas": _metadonnees(dtypes, _TYPES_TABLE).encode("utf-8")})
    tableau = pa.Table.from_arrays([_tableau_fleche(pa, fleches[t], valeurs) for (t, valeurs) in colonnes.values()],
                                   schema=schema)
    pq.write_table(tableau, chemin, compression="snappy")
    return tableau.num_rows


def copier_parquet(con, sql: str, chemin: Path, dtypes: Mapping[str, str]) -> int:
    """Write the result of ``sql`` to ``chemin`` with DuckDB's own (parallel) Parquet writer, with the pandas
    metadata of a frame of ``dtypes``: ``pandas.read_parquet`` gives back the frame that ``to_parquet`` of
    the same result would have written (same values, dtypes, order), without the Arrow → pandas → Arrow
    round trip (measured ≈ 0.3 s CPU less for the 390 000 commune totals). Returns the rows written."""
    meta = metadonnees_pandas(dtypes).replace("'", "''")
    cible = str(chemin).replace("'", "''")
    return int(con.execute(f"COPY ({sql}) TO '{cible}' (FORMAT parquet, KV_METADATA {{pandas: '{meta}'}})"
                           ).fetchone()[0])


@dataclass
class Rapport:
    """What an extraction did: output files, counts, timings and remarks (printed by the CLI)."""

    fichiers: dict[str, Path] = field(default_factory=dict)
    lignes: dict[str, int] = field(default_factory=dict)
    remarques: list[str] = field(default_factory=list)
    encodage: str = ""
    secondes: float = 0.0

    def texte(self) -> str:
        out = [f"{nom} : {self.lignes.get(nom, 0)} lignes -> {chemin}" for nom, chemin in self.fichiers.items()]
        out += [f"remarque : {r}" for r in self.remarques]
        out.append(f"encodage lu : {self.encodage} ; durée : {self.secondes:.1f} s")
        return "\n".join(out)

    def ecrire(self, sortie: Path, sorties: Mapping[str, pd.DataFrame | dict[str, tuple[str, list]]],
               ecrits: Mapping[str, tuple[Path, int]] | None = None) -> None:
        """Write every frame (or columns for :func:`ecrire_table`) to ``sortie/<nom>.parquet`` (all or nothing: every file is written to a temporary
        name first, then all are renamed in) and record its path and row count. ``ecrits``: files already
        written to a temporary path next to their target (:func:`copier_parquet`) — name -> (path, rows) —
        installed together with the frames."""
        ecrits = dict(ecrits or {})
        prets: list[tuple[Path, Path]] = [(tmp, sortie / f"{nom}.parquet") for nom, (tmp, _n) in ecrits.items()]
        cree = not sortie.exists()
        lignes: dict[str, int] = {}
        try:
            for nom, df in sorties.items():
                cible = sortie / f"{nom}.parquet"
                prets.append((chemin_temporaire(cible), cible))
                if isinstance(df, dict):        # columns for ecrire_table (no pandas)
                    lignes[nom] = ecrire_table(df, prets[-1][0])
                else:
                    df.to_parquet(prets[-1][0], index=False)
                    lignes[nom] = len(df)
            if installer_ensemble(prets):
                self.remarques.append("Ctrl-C reçu pendant l'écriture des fichiers : elle a été menée à terme")
        except BaseException:
            for tmp, _ in prets:
                tmp.unlink(missing_ok=True)
            if cree:
                try:
                    sortie.rmdir()
                except OSError:
                    pass
            raise
        lignes.update({nom: n for nom, (_t, n) in ecrits.items()})
        for nom in [*sorties, *ecrits]:
            self.fichiers[nom] = sortie / f"{nom}.parquet"
            self.lignes[nom] = lignes[nom]

    def terminer(self, t0: float) -> Rapport:
        """Record the duration since ``t0`` (:func:`time.perf_counter`) and return the report."""
        self.secondes = time.perf_counter() - t0
        return self
