"""What an extraction did (:class:`Rapport`, printed by the CLI) and how its Parquet outputs are written.

Outputs are written all or nothing (every file to a temporary name,
:func:`orleans_gov.base.fichiers.chemin_temporaire`, then all renamed in by :func:`installer_ensemble`, Ctrl-C
held back) with pandas' schema metadata kept, so that a reader gets back the dtypes of
:func:`orleans_gov.sources.dgfip.read_comptes_communes` (text columns as ``string`` with ``pd.NA``).
:func:`orleans_gov.base.fichiers.ecrire_parquet` drops that metadata on purpose (it writes the ``data/processed``
tables, rebuilt byte for byte); its files read back with ``str`` (NaN) text columns and ``float64`` for nullable
integers, which the extraction's tests reject (same frame as the reader's). These files are extracts, not
``data/processed`` tables: they keep the pandas writer (same bytes for the same frame) or, for the 390 000
commune totals of ``extraire balances``, DuckDB's writer with the same pandas metadata (:func:`copier_parquet`:
the same frame read back).
"""
from __future__ import annotations

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


def metadonnees_pandas(dtypes: Mapping[str, str]) -> str:
    """The ``pandas`` schema metadata that ``DataFrame.to_parquet(index=False)`` writes for a frame of these
    column dtypes (data-independent: names, dtypes, library versions).

    For ``string``, ``int64`` and ``float64`` columns (the extraction outputs) the JSON is written here, with
    the installed pandas and pyarrow versions, without importing either (≈ 0.4 s CPU: ``extraire balances``
    needs neither otherwise); a test checks it is, character for character, the one pyarrow builds from an
    empty pandas frame — which any other dtype still uses."""
    if all(t in _TYPES_PANDAS for t in dtypes.values()):
        colonnes = [{"name": c, "field_name": c, "pandas_type": _TYPES_PANDAS[t][0],
                     "numpy_type": _TYPES_PANDAS[t][1], "metadata": None} for c, t in dtypes.items()]
        return json.dumps({"index_columns": [], "column_indexes": [], "columns": colonnes, "attributes": {},
                           "creator": {"library": "pyarrow", "version": version_installee("pyarrow")},
                           "pandas_version": version_installee("pandas")})
    import pandas as pd  # heavy third-party imports kept lazy (module docstring of orleans_gov.sources.nationaux)
    import pyarrow as pa

    vide = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})
    return pa.Schema.from_pandas(vide, preserve_index=False).metadata[b"pandas"].decode("utf-8")


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

    def ecrire(self, sortie: Path, sorties: Mapping[str, pd.DataFrame],
               ecrits: Mapping[str, tuple[Path, int]] | None = None) -> None:
        """Write every frame to ``sortie/<nom>.parquet`` (all or nothing: every file is written to a temporary
        name first, then all are renamed in) and record its path and row count. ``ecrits``: files already
        written to a temporary path next to their target (:func:`copier_parquet`) — name -> (path, rows) —
        installed together with the frames."""
        ecrits = dict(ecrits or {})
        prets: list[tuple[Path, Path]] = [(tmp, sortie / f"{nom}.parquet") for nom, (tmp, _n) in ecrits.items()]
        cree = not sortie.exists()
        try:
            for nom, df in sorties.items():
                cible = sortie / f"{nom}.parquet"
                prets.append((chemin_temporaire(cible), cible))
                df.to_parquet(prets[-1][0], index=False)
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
        lignes = {**{nom: len(df) for nom, df in sorties.items()}, **{nom: n for nom, (_t, n) in ecrits.items()}}
        for nom in [*sorties, *ecrits]:
            self.fichiers[nom] = sortie / f"{nom}.parquet"
            self.lignes[nom] = lignes[nom]

    def terminer(self, t0: float) -> Rapport:
        """Record the duration since ``t0`` (:func:`time.perf_counter`) and return the report."""
        self.secondes = time.perf_counter() - t0
        return self
