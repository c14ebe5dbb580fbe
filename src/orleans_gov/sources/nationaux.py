"""Extraction of the perimeter from the national DGFiP files with DuckDB (memory-bounded, 2 threads).

Two national files are handled (docs/FORMATS.md §1 and §4):

``extraire comptes`` — DGFiP « comptes individuels des communes » (all ~35 000 communes, one or many years,
hundreds of MB, ``;``, ``.`` decimal point, 2013 or 2017+ header, optional UTF-8 byte-order mark and trailing
empty column, UTF-8 or CP1252). Writes:

- ``communes_perimetre.parquet``: the rows of the 22 communes, every column, in the layout that
  :func:`orleans_gov.sources.dgfip.read_comptes_communes` produces (``code_insee`` 5 characters, ``an`` int,
  numbers as float64, text as ``string``, ``provenance``, ``fichier``);
- ``moyennes_strates.parquet``: for every (``an``, ``nomsst1``, ``nomsst2``) stratum one of our communes
  belongs to, every strata-mean column (``m*``, ``rm*``, ``tm*``) — the DGFiP prints the same values on every
  commune of a stratum, so one value per stratum is kept — plus ``nb_communes`` (communes of the stratum in
  the file);
- ``populations_communes.parquet`` (only with ``populations=True`` / ``--populations``): ``code_insee``,
  ``an``, ``pop1``, ``nomsst1``, ``nomsst2`` of **every** commune of the file (input of ``extraire balances
  --population``).

By default the strata means are read on one line per stratum (DGFiP convention: identical on every commune
of a stratum); ``verifier_strates=True`` / ``--verifier-strates`` reads the whole file to check it.

``extraire balances`` — DGFiP balances comptables with the crossed nature × fonction presentation
(ISO-8859-1, ``;``, decimal comma, upper- or lower-case header). See :func:`extraire_balances` for the exact
definitions of real spending.

DuckDB settings: ``SET threads=2``, ``SET memory_limit`` (1 GB by default), ``preserve_insertion_order=false``,
``read_csv`` with explicit column names and types (no sniffing). Malformed files raise
:class:`~orleans_gov.base.erreurs.ErreurDonnees` naming file, line, column and value.
"""
from __future__ import annotations

import codecs
import csv
import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import duckdb
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.sources.csv_officiel import signaler_inconnues
from orleans_gov.sources.dgfip import COLONNES_CONNUES_COMMUNES, COLONNES_TEXTE_COMMUNES, verifier_ratios
from orleans_gov.base.territoire import CODES_INSEE, DEP_DGFIP, SIREN_AGGLO, strate_dgfip

MEMOIRE_PAR_DEFAUT = "1GB"
THREADS_PAR_DEFAUT = 2
TAILLE_SONDE = 4 << 20  # bytes read to detect the encoding
_COLONNE_VIDE = re.compile(r"^(column_\d+|Unnamed: \d+|)$")
_PREFIXES_STRATE = ("m", "rm", "tm")

REQUISES_COMPTES = ("an", "dep", "icom", "pop1", "nomsst1", "nomsst2")

ENTETE_BALANCES = ("EXER;IDENT;NDEPT;LBUDG;MODVTHEL;INSEE;CBUDG;CTYPE;CSTYP;NOMEN;siren;CREGI;CACTI;SECTEUR;FINESS;"
                   "CODBUD1;CATEG;BAL;FONCTION;COMPTE;BEDEB;BECRE;OBNETDEB;OBNETCRE;ONBDEB;ONBCRE;OOBDEB;OOBCRE;SD;SC"
                   ).split(";")
"""Header of the DGFiP nature × fonction balance files (the API exports spell it in lower case)."""
MONTANTS_BALANCES = ("bedeb", "becre", "obnetdeb", "obnetcre", "onbdeb", "onbcre", "oobdeb", "oobcre", "sd", "sc")
REQUISES_BALANCES = ("exer", "ndept", "insee", "cbudg", "nomen", "siren", "fonction", "compte", "obnetdeb", "oobdeb")

FONCTIONS_M14: dict[str, str] = {
    "0": "services généraux", "1": "sécurité et salubrité publiques", "2": "enseignement-formation",
    "3": "culture", "4": "sport et jeunesse", "5": "interventions sociales et santé", "6": "famille",
    "7": "logement", "8": "aménagement et services urbains, environnement", "9": "action économique",
}
"""Top-level functions of the M14 functional presentation (first digit of ``FONCTION``)."""


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


# ----------------------------------------------------------------------------------------------------
# Header, encoding, DuckDB plumbing
@dataclass(frozen=True)
class Entete:
    """Header of a national file: column names (as in the file, trailing/empty ones renamed), encoding, BOM."""

    colonnes: tuple[str, ...]
    vides: tuple[str, ...]
    encodage: str
    bom: bool


def detecter_encodage(chemin: Path, taille: int = TAILLE_SONDE) -> tuple[str, bool]:
    """Detect the encoding on the first ``taille`` bytes: UTF-8 (BOM or valid), else CP1252 when bytes
    0x80–0x9F occur (€, œ, ’ …), else ISO-8859-1. Returns (encoding, bom)."""
    with open(chemin, "rb") as f:
        debut = f.read(taille)
    if debut.startswith(codecs.BOM_UTF8):
        return "utf-8", True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(debut, final=False)
        return "utf-8", False
    except UnicodeDecodeError:
        pass
    if re.search(rb"[\x80-\x9f]", debut):
        return "cp1252", False
    return "latin-1", False


def lire_entete(chemin: Path, *, separateur: str = ";", encodage: str | None = None,
                minuscules: bool = False) -> Entete:
    """Read and check the header line of a national file (no data read).

    Raises :class:`ErreurDonnees` on a missing or empty file, a wrong separator, duplicate columns.
    """
    if not chemin.exists():
        raise ErreurDonnees("fichier introuvable", fichier=chemin)
    if chemin.stat().st_size == 0:
        raise ErreurDonnees("le fichier est vide (aucune ligne d'en-tête)", fichier=chemin)
    enc, bom = detecter_encodage(chemin)
    if encodage:
        enc = encodage
    with open(chemin, "rb") as f:
        premiere = f.readline(1 << 20)
    if bom:
        premiere = premiere[len(codecs.BOM_UTF8):]
    texte = premiere.decode("utf-8" if enc == "utf-8" else enc, errors="replace").rstrip("\r\n")
    if not texte.strip():
        raise ErreurDonnees("le fichier est vide (aucune ligne d'en-tête)", fichier=chemin, ligne=1)
    if separateur not in texte:
        autre = next((s for s in (",", "\t", "|") if s in texte), None)
        detail = f" (le séparateur semble être {autre!r})" if autre else ""
        raise ErreurDonnees(f"séparateur « {separateur} » attendu dans l'en-tête{detail}", fichier=chemin, ligne=1,
                            valeur=texte[:60])
    noms = [c.strip() for c in next(csv.reader([texte], delimiter=separateur))]
    if minuscules:
        noms = [c.lower() for c in noms]
    colonnes, vides = [], []
    for i, c in enumerate(noms, start=1):
        if _COLONNE_VIDE.match(c):
            c = f"_vide_{i}"
            vides.append(c)
        colonnes.append(c)
    doublons = sorted({c for c in colonnes if colonnes.count(c) > 1})
    if doublons:
        raise ErreurDonnees("colonne présente deux fois dans l'en-tête", fichier=chemin, ligne=1, colonne=doublons[0])
    return Entete(tuple(colonnes), tuple(vides), enc, bom)


def transcoder_utf8(source: Path, destination: Path, encodage: str, bloc: int = 16 << 20) -> None:
    """Stream-transcode ``source`` (e.g. CP1252, which DuckDB cannot read) to UTF-8 in 16 MB chunks."""
    dec = codecs.getincrementaldecoder(encodage)()
    with open(source, "rb") as s, open(destination, "wb") as d:
        for morceau in iter(lambda: s.read(bloc), b""):
            d.write(dec.decode(morceau).encode("utf-8"))
        d.write(dec.decode(b"", final=True).encode("utf-8"))


def connexion(memoire: str = MEMOIRE_PAR_DEFAUT, threads: int = THREADS_PAR_DEFAUT,
              dossier_temp: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB connection with bounded memory and threads (spills to ``dossier_temp``)."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads={int(threads)}")
    con.execute(f"SET memory_limit='{memoire}'")
    con.execute("SET preserve_insertion_order=false")
    if dossier_temp:
        con.execute(f"SET temp_directory='{_sql_texte(str(dossier_temp))}'")
    return con


def _sql_texte(s: str) -> str:
    return s.replace("'", "''")


def _ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def source_csv(chemin: Path, types: dict[str, str], *, encodage: str, decimale: str = ".") -> str:
    """``read_csv(...)`` expression with explicit columns and types, no sniffing, strict rows."""
    colonnes = "{" + ", ".join(f"'{_sql_texte(c)}': '{t}'" for c, t in types.items()) + "}"
    enc = "utf-8" if encodage == "utf-8" else "latin-1"
    return (f"read_csv('{_sql_texte(str(chemin))}', delim=';', quote='\"', escape='\"', header=true, "
            f"auto_detect=false, columns={colonnes}, decimal_separator='{decimale}', encoding='{enc}', "
            f"strict_mode=true, null_padding=false)")


_RE_LIGNE = re.compile(r"CSV Error on Line: (\d+)")
_RE_CONVERSION = re.compile(r'converting column "([^"]+)"\. Could not convert string "([^"]*)"')
_RE_NB_COLONNES = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_RE_ORIGINALE = re.compile(r"Original Line: (.*)")


def erreur_duckdb(exc: Exception, chemin: Path, *, decimale: str = ".") -> ErreurDonnees:
    """Translate a DuckDB CSV error into an :class:`ErreurDonnees` with line, column and value."""
    msg = str(exc)
    m_ligne = _RE_LIGNE.search(msg)
    ligne = int(m_ligne.group(1)) if m_ligne else None
    conv = _RE_CONVERSION.search(msg)
    if conv:
        colonne, valeur = conv.group(1), conv.group(2)
        if decimale == "." and re.fullmatch(r"[+-]?\d+,\d+", valeur):
            texte = "virgule décimale : ce fichier officiel utilise le point (ex. 12.5)"
        elif decimale == "," and re.fullmatch(r"[+-]?\d+\.\d+", valeur):
            texte = "point décimal : ce fichier officiel utilise la virgule (ex. 12,5)"
        else:
            texte = "valeur non numérique dans une colonne de montants"
        return ErreurDonnees(texte, fichier=chemin, ligne=ligne, colonne=colonne, valeur=valeur)
    nb = _RE_NB_COLONNES.search(msg)
    if nb:
        orig = _RE_ORIGINALE.search(msg)
        return ErreurDonnees(f"{nb.group(2)} champs au lieu des {nb.group(1)} de l'en-tête", fichier=chemin,
                             ligne=ligne, valeur=(orig.group(1)[:80] if orig else None))
    if "unicode" in msg.lower() or "utf" in msg.lower():
        return ErreurDonnees("octets invalides pour l'encodage détecté sur le début du fichier "
                             "(fichier à encodage mixte ?)", fichier=chemin, ligne=ligne)
    premiere = msg.splitlines()[0] if msg else type(exc).__name__
    return ErreurDonnees(f"fichier illisible par DuckDB : {premiere}", fichier=chemin, ligne=ligne)


def _executer(con: duckdb.DuckDBPyConnection, sql: str, chemin: Path, *, decimale: str = ".") -> None:
    try:
        con.execute(sql)
    except duckdb.Error as exc:
        raise erreur_duckdb(exc, chemin, decimale=decimale) from None


def _df(con: duckdb.DuckDBPyConnection, sql: str, chemin: Path, *, decimale: str = ".") -> pd.DataFrame:
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        raise erreur_duckdb(exc, chemin, decimale=decimale) from None


def _sql_code_insee(dep: str, icom: str) -> str:
    """SQL twin of :func:`orleans_gov.base.territoire.code_insee_depuis_dgfip`."""
    return (f"CASE WHEN {dep} LIKE '0%' THEN substr({dep}, 2) || {icom} "
            f"ELSE {dep} || right({icom}, 2) END")


def _ecrire_parquet(df: pd.DataFrame, chemin: Path) -> None:
    """Atomic Parquet write (temporary name in the same folder, then :func:`os.replace`)."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{chemin.name}.", suffix=".part", dir=chemin.parent)
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, chemin)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _SourceLisible:
    """Context manager yielding a path DuckDB can read (CP1252 transcoded to a temporary UTF-8 file)."""

    def __init__(self, chemin: Path, encodage: str, dossier_temp: Path | None = None) -> None:
        self.chemin, self.encodage, self.dossier_temp = chemin, encodage, dossier_temp
        self._tmp: Path | None = None

    def __enter__(self) -> tuple[Path, str]:
        if self.encodage == "cp1252":
            fd, tmp = tempfile.mkstemp(suffix=".csv", dir=self.dossier_temp)
            os.close(fd)
            self._tmp = Path(tmp)
            transcoder_utf8(self.chemin, self._tmp, "cp1252")
            return self._tmp, "utf-8"
        return self.chemin, self.encodage

    def __exit__(self, *exc) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)


# ----------------------------------------------------------------------------------------------------
# Comptes individuels des communes
def colonnes_strate(colonnes: Iterable[str]) -> list[str]:
    """Strata-mean columns of a communes header: known columns starting with ``m``, ``rm`` or ``tm``."""
    return [c for c in colonnes if c in COLONNES_CONNUES_COMMUNES and c not in COLONNES_TEXTE_COMMUNES
            and c.startswith(_PREFIXES_STRATE)]


def mise_en_forme_comptes(brut: pd.DataFrame, colonnes: Sequence[str], inconnues: Sequence[str],
                          chemin: Path, provenance: str = "réel") -> pd.DataFrame:
    """Give the perimeter rows the exact layout of :func:`read_comptes_communes` (column order, dtypes)."""
    for col in ("dep", "icom"):
        mauvais = brut[col].fillna("").str.len() != 3
        if mauvais.any():
            i = mauvais.to_numpy().nonzero()[0][0]
            raise ErreurDonnees(f"« {col} » doit compter exactement 3 caractères", fichier=chemin, colonne=col,
                                valeur=brut[col].iloc[i])
    annee_ok = brut["an"].fillna("").str.fullmatch(r"\d{4}")
    if not annee_ok.all():
        i = (~annee_ok).to_numpy().nonzero()[0][0]
        raise ErreurDonnees("année attendue sur 4 chiffres", fichier=chemin, colonne="an", valeur=brut["an"].iloc[i])
    texte = [c for c in COLONNES_TEXTE_COMMUNES if c in colonnes and c != "an"]
    numeriques = [c for c in colonnes if c not in COLONNES_TEXTE_COMMUNES and c not in inconnues]
    out = pd.DataFrame(index=brut.index)
    out["code_insee"] = brut["code_insee"].astype(object)
    out["an"] = brut["an"].astype("int64")
    for c in texte:
        out[c] = brut[c].replace("", pd.NA).astype("string")
    nombres = brut[numeriques].astype("float64")
    if "pop1" in nombres and (nombres["pop1"] < 0).any():
        i = (nombres["pop1"] < 0).to_numpy().nonzero()[0][0]
        raise ErreurDonnees("population négative", fichier=chemin, colonne="pop1", valeur=nombres["pop1"].iloc[i])
    out = pd.concat([out, nombres, brut[list(inconnues)].fillna("").astype(object)], axis=1)
    dup = out.duplicated(["code_insee", "an"], keep=False)
    if dup.any():
        premier = out[dup].iloc[0]
        raise ErreurDonnees("commune-année en double : une seule ligne par commune et année", fichier=chemin,
                            colonne="icom", valeur=f"{premier['code_insee']} / {premier['an']}")
    out["provenance"] = provenance
    out["fichier"] = chemin.name
    return out.sort_values(["code_insee", "an"]).reset_index(drop=True)


def prefiltrer_lignes(source: Path, destination: Path, idx_dep: int, idx_icom: int, dep: str,
                      icoms: Iterable[str]) -> list[int]:
    """Copy the header and the lines whose ``dep``/``icom`` fields match into ``destination``.

    Streamed line by line at the bytes level; only the first ``max(idx_dep, idx_icom) + 1`` fields of a line
    are split (quotes tolerated). Returns the original line numbers of the copied data lines (header = line
    1), so that errors found later name the line of the national file. (A ``bytes.find`` search for
    ``;045;`` was tried: slower on this machine, whose memory bandwidth makes every extra pass over the
    block cost as much as the split.)
    """
    k = max(idx_dep, idx_icom) + 1
    cible_dep = dep.encode()
    cibles = {i.encode() for i in icoms}
    numeros: list[int] = []
    with open(source, "rb") as s, open(destination, "wb") as d:
        d.write(s.readline())
        for n, ligne in enumerate(s, start=2):
            champs = ligne.split(b";", k)
            if len(champs) > k - 1 and champs[idx_dep].strip(b'" ') == cible_dep \
                    and champs[idx_icom].strip(b'" ') in cibles:
                d.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
                numeros.append(n)
    return numeros


@dataclass
class Prefiltre:
    """Result of :func:`prefiltrer_perimetre_strates`: original line numbers of the copied lines and the
    number of lines of every stratum (key: decoded ``an``, ``nomsst1``, ``nomsst2`` as DuckDB reads them)."""

    numeros_perimetre: list[int]
    numeros_strates: list[int]
    nb_lignes: dict[tuple[str, str, str], int]


def _valeur_csv(champ: bytes, encodage: str) -> str:
    """Field value as a CSV reader gives it: end of line and enclosing quotes removed, ``""`` unescaped."""
    v = champ.rstrip(b"\r\n")
    if len(v) >= 2 and v.startswith(b'"') and v.endswith(b'"'):
        v = v[1:-1].replace(b'""', b'"')
    return v.decode("utf-8" if encodage == "utf-8" else "latin-1", errors="replace")


def prefiltrer_perimetre_strates(source: Path, dest_perimetre: Path, dest_strates: Path, colonnes: Sequence[str],
                                 dep: str, icoms: Iterable[str], encodage: str = "utf-8") -> Prefiltre:
    """One byte-level pass over the national file: perimeter lines + ONE line per stratum + strata sizes.

    - ``dest_perimetre``: header + lines whose ``dep``/``icom`` match (as :func:`prefiltrer_lignes`);
    - ``dest_strates``: header + the FIRST line of every (``an``, ``nomsst2``, ``nomsst1``) stratum; the DGFiP
      prints the same strata means on every commune of a stratum, so this line carries the stratum's means;
    - the number of lines of every stratum (``nb_communes``).

    Only the first fields (up to ``nomsst2``, field 7 of the official headers) are split from the left and
    ``nomsst1`` (near the end of the line) from the right with ``rsplit``; a line with a wrong number of
    fields therefore usually yields an unknown stratum key, is copied and rejected by the strict DuckDB
    parse of the extract. Pure Python line splitting measured cheaper than a projected DuckDB ``read_csv``
    of the 205-column file (0.46 s vs 0.93 s CPU on bench/_work/comptes_communes_35000x6.csv).
    """
    i_an, i_dep, i_icom = colonnes.index("an"), colonnes.index("dep"), colonnes.index("icom")
    i_ns2, i_ns1 = colonnes.index("nomsst2"), colonnes.index("nomsst1")
    if i_ns1 < i_ns2:  # unofficial layout: both labels split from the left
        i_ns1, i_ns2 = i_ns2, i_ns1
        inverse = True
    else:
        inverse = False
    k = max(i_an, i_dep, i_icom, i_ns2) + 1
    n_droite = len(colonnes) - i_ns1          # rsplit(n) -> piece 1 is field len(colonnes) - n = i_ns1
    droite = i_ns1 >= k
    cible_dep = dep.encode()
    cibles = {i.encode() for i in icoms}
    num_p: list[int] = []
    num_s: list[int] = []
    brutes: dict[tuple[bytes, bytes, bytes], list] = {}   # raw key -> [normalised key, line count]
    with open(source, "rb") as s, open(dest_perimetre, "wb") as dp, open(dest_strates, "wb") as ds:
        entete = s.readline()
        dp.write(entete)
        ds.write(entete)
        for n, ligne in enumerate(s, start=2):
            champs = ligne.split(b";", k)
            if len(champs) <= k - 1:
                champs += [b""] * (k + 1 - len(champs))
            if droite:
                morceaux = ligne.rsplit(b";", n_droite)
                ns1 = morceaux[1] if len(morceaux) > 1 else b""
            else:
                ns1 = champs[i_ns1]
            cle = (champs[i_an], champs[i_ns2], ns1)
            vu = brutes.get(cle)
            if vu is None:
                a, b2, b1 = (_valeur_csv(x, encodage) for x in cle)
                norm = (a, b1, b2) if not inverse else (a, b2, b1)
                nouvelle = all(v[0] != norm for v in brutes.values())
                brutes[cle] = vu = [norm, 0]
                if nouvelle:
                    ds.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
                    num_s.append(n)
            vu[1] += 1
            d = champs[i_dep]
            if cible_dep in d and d.strip(b'" ') == cible_dep and champs[i_icom].strip(b'" ') in cibles:
                dp.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
                num_p.append(n)
    nb: dict[tuple[str, str, str], int] = {}
    for norm, compte in brutes.values():
        nb[norm] = nb.get(norm, 0) + compte
    return Prefiltre(num_p, num_s, nb)


def _renumeroter(exc: ErreurDonnees, numeros: list[int], chemin: Path) -> ErreurDonnees:
    """Error on line L of an extract -> same error on the matching line of the national file."""
    if exc.ligne is not None and 2 <= exc.ligne < len(numeros) + 2:
        return ErreurDonnees(exc.explication, fichier=chemin, ligne=numeros[exc.ligne - 2], colonne=exc.colonne,
                             valeur=exc.valeur)
    return exc


def extraire_comptes(fichier: str | os.PathLike, sortie: str | os.PathLike, *,
                     codes_insee: Sequence[str] = CODES_INSEE, memoire: str = MEMOIRE_PAR_DEFAUT,
                     threads: int = THREADS_PAR_DEFAUT, verifier: bool = True, verifier_strates: bool = False,
                     populations: bool = False, dossier_temp: str | os.PathLike | None = None) -> Rapport:
    """Extract the perimeter and its strata means from a national DGFiP comptes individuels file.

    Definitions (DGFiP, docs/FORMATS.md §1): a stratum is (``an``, ``nomsst1`` population band, ``nomsst2``
    fiscal regime); ``mX`` is the strata mean of ``X`` in €/hab, ``rmX`` the strata structure ratio (%),
    ``tmX`` the strata mean tax rate (%). The DGFiP prints the same strata values on every commune of a
    stratum, so the means of a stratum are read on ONE line of it (the first in the file).

    Default work plan (measured in bench/RESULTS_extraction.md): (a) one byte-level Python pass
    (:func:`prefiltrer_perimetre_strates`) copies the perimeter lines and the first line of every stratum into
    two small temporary files and counts the lines of every stratum (``nb_communes``); (b) DuckDB parses
    strictly the perimeter lines with every column typed and, in the strata lines, the strata columns.

    What the default checks: every column of the 22 communes' lines (types, decimal point, field count, 3-
    character ``dep``/``icom``, 4-digit ``an``, duplicates, per-inhabitant values and ratios when ``verifier``),
    and the strata columns and field count of the line read for each stratum. Errors give the line number in
    the national file. What it does NOT check: that all communes of a stratum carry the same means, the
    field count and the values of the other lines of the file (a line with extra or missing fields is
    usually caught anyway: its ``nomsst1`` field, read from the end of the line, is then an unknown stratum).

    Options (each adds one streamed DuckDB scan of the whole file, run while the pass (a) runs):

    - ``verifier_strates=True`` (CLI ``--verifier-strates``): min/max of every strata column over ALL the
      communes of the strata of the perimeter; :class:`ErreurDonnees` if two communes disagree; the strata
      columns, ``pop1`` and the field count of every line of the file are then validated;
    - ``populations=True`` (CLI ``--populations``): also write ``populations_communes.parquet``
      (``code_insee``, ``an``, ``pop1``, ``nomsst1``, ``nomsst2`` of every commune of the file, input of
      ``extraire balances --population``). Without it, that file is not written.
    """
    t0 = time.perf_counter()
    chemin, sortie = Path(fichier), Path(sortie)
    entete = lire_entete(chemin)
    colonnes = [c for c in entete.colonnes]
    manquantes = [c for c in REQUISES_COMPTES if c not in colonnes]
    if manquantes:
        raise ErreurDonnees(f"colonne obligatoire absente (en-tête lu : {', '.join(colonnes[:8])}…)",
                            fichier=chemin, ligne=1, colonne=manquantes[0])
    utiles = [c for c in colonnes if c not in entete.vides]
    inconnues = [c for c in utiles if c not in COLONNES_CONNUES_COMMUNES]
    signaler_inconnues(inconnues, chemin)
    types = {c: ("VARCHAR" if (c in COLONNES_TEXTE_COMMUNES or c in inconnues or c in entete.vides) else "DOUBLE")
             for c in colonnes}
    strates = colonnes_strate(utiles)
    icoms = sorted({c[2:] for c in codes_insee if c.startswith(DEP_DGFIP[1:])})
    rapport = Rapport(encodage=entete.encodage)
    cle_perim = ("SEMI JOIN (SELECT DISTINCT an, nomsst1, nomsst2 FROM perim) p ON s.an IS NOT DISTINCT FROM p.an "
                 "AND s.nomsst1 IS NOT DISTINCT FROM p.nomsst1 AND s.nomsst2 IS NOT DISTINCT FROM p.nomsst2")
    ecarts = pops = None
    with _SourceLisible(chemin, entete.encodage, Path(dossier_temp) if dossier_temp else None) as (lisible, enc), \
            tempfile.TemporaryDirectory(dir=dossier_temp) as dossier:
        extrait, extrait_s = Path(dossier) / "perimetre.csv", Path(dossier) / "strates.csv"
        con = connexion(memoire, threads, dossier_temp)
        try:
            with ThreadPoolExecutor(1) as pool:
                # (a) byte-level pass: perimeter lines, one line per stratum, strata sizes (in a thread)
                futur = pool.submit(prefiltrer_perimetre_strates, lisible, extrait, extrait_s, colonnes, DEP_DGFIP,
                                    icoms, enc)
                try:
                    if verifier_strates or populations:
                        # optional full scan, reading only the strata columns and/or (code, pop1)
                        parts = ["an", "nomsst1", "nomsst2"]
                        if verifier_strates:
                            parts += [f"min({_ident(c)}) AS {_ident(c)}, max({_ident(c)}) - min({_ident(c)}) AS "
                                      f"{_ident('_ecart_' + c)}" for c in strates]
                        if populations:
                            parts += [f"list({_sql_code_insee('dep', 'icom')}) AS _codes", "list(pop1) AS _pops"]
                        _executer(con, f"CREATE TEMP TABLE scan AS SELECT {', '.join(parts)} "
                                       f"FROM {source_csv(lisible, types, encodage=enc)} GROUP BY ALL", chemin)
                finally:
                    pre = futur.result()
            # (b) the few extracted lines, parsed strictly (line numbers mapped back to the national file)
            try:
                _executer(con, f"CREATE TEMP TABLE perim AS SELECT {_sql_code_insee('dep', 'icom')} AS code_insee, * "
                               f"FROM {source_csv(extrait, types, encodage=enc)}", chemin)
            except ErreurDonnees as exc:
                raise _renumeroter(exc, pre.numeros_perimetre, chemin) from None
            try:
                _executer(con, "CREATE TEMP TABLE strates AS SELECT "
                               + ", ".join(_ident(c) for c in ["an", "nomsst1", "nomsst2"] + strates)
                               + f" FROM {source_csv(extrait_s, types, encodage=enc)}", chemin)
            except ErreurDonnees as exc:
                raise _renumeroter(exc, pre.numeros_strates, chemin) from None
            brut = con.execute("SELECT * FROM perim").df()
            bandes = con.execute(f"SELECT s.* FROM strates s {cle_perim} ORDER BY an, nomsst1, nomsst2").df()
            if verifier_strates:
                sauf = " EXCLUDE (_codes, _pops)" if populations else ""
                ecarts = con.execute(f"SELECT s.*{sauf} FROM scan s {cle_perim} ORDER BY an, nomsst1, nomsst2").df()
            if populations:
                pops = con.execute(
                    "SELECT unnest(_codes) AS code_insee, TRY_CAST(an AS INTEGER) AS an, unnest(_pops) AS pop1, "
                    "nomsst1, nomsst2 FROM scan ORDER BY 1, 2").df()
        finally:
            con.close()
    if brut.empty:
        raise ErreurDonnees(f"aucune commune du périmètre dans le fichier (filtre dep = '{DEP_DGFIP}' et icom parmi "
                            f"{len(icoms)} numéros)", fichier=chemin, colonne="icom")
    for v in entete.vides:
        rempli = brut[v].fillna("").str.strip() != ""
        if rempli.any():
            raise ErreurDonnees("colonne sans nom contenant des valeurs", fichier=chemin, colonne=v,
                                valeur=brut.loc[rempli, v].iloc[0])
    communes = mise_en_forme_comptes(brut, utiles, inconnues, chemin)
    if verifier:
        try:
            verifier_ratios(communes, chemin)
        except ErreurDonnees as exc:
            ligne = communes.loc[exc.ligne] if exc.ligne is not None else None
            ou = f" (commune {ligne['code_insee']}, an {ligne['an']})" if ligne is not None else ""
            raise ErreurDonnees(exc.explication + ou, fichier=chemin, colonne=exc.colonne, valeur=exc.valeur) from None
    if ecarts is not None:
        for c in strates:
            ecart = ecarts[f"_ecart_{c}"]
            mauvais = ecart > 1e-9 * (1 + ecarts[c].abs())
            if mauvais.any():
                b = ecarts[mauvais].iloc[0]
                raise ErreurDonnees(
                    f"moyenne de strate différente d'une commune à l'autre dans la strate « {b['nomsst1']} / "
                    f"{b['nomsst2']} » {b['an']} (écart {b[f'_ecart_{c}']})", fichier=chemin, colonne=c, valeur=b[c])
    cles = [tuple("" if pd.isna(x) else str(x) for x in k)
            for k in zip(bandes["an"], bandes["nomsst1"], bandes["nomsst2"])]
    bandes["nb_communes"] = [pre.nb_lignes.get(k, 0) for k in cles]
    moyennes = bandes[["an", "nomsst1", "nomsst2", "nb_communes"] + strates].copy()
    moyennes["an"] = moyennes["an"].astype("int64")
    moyennes["nb_communes"] = moyennes["nb_communes"].astype("int64")
    for c in ("nomsst1", "nomsst2"):
        moyennes[c] = moyennes[c].astype("string")
    moyennes["provenance"] = "réel"
    moyennes["fichier"] = chemin.name
    absentes = sorted(set(codes_insee) - set(communes["code_insee"]))
    if absentes:
        rapport.remarques.append(f"{len(absentes)} commune(s) du périmètre absente(s) du fichier : {', '.join(absentes)}")
    sorties = {"communes_perimetre": communes, "moyennes_strates": moyennes.reset_index(drop=True)}
    if pops is not None:
        pops["code_insee"] = pops["code_insee"].astype("string")
        for c in ("nomsst1", "nomsst2"):
            pops[c] = pops[c].astype("string")
        sorties["populations_communes"] = pops
    else:
        rapport.remarques.append("populations nationales non écrites (option --populations pour "
                                 "populations_communes.parquet, entrée de « extraire balances --population »)")
    if not verifier_strates:
        rapport.remarques.append("moyennes de strate lues sur la première ligne de chaque strate ; leur égalité entre "
                                 "les communes d'une strate n'est pas contrôlée (option --verifier-strates)")
    for nom, df in sorties.items():
        _ecrire_parquet(df, sortie / f"{nom}.parquet")
        rapport.fichiers[nom] = sortie / f"{nom}.parquet"
        rapport.lignes[nom] = len(df)
    if entete.encodage == "cp1252":
        rapport.remarques.append("fichier CP1252 transcodé en UTF-8 (flux de 16 Mo) avant lecture par DuckDB")
    rapport.secondes = time.perf_counter() - t0
    return rapport


# ----------------------------------------------------------------------------------------------------
# Balances nature × fonction
SQL_SECTION = (
    "CASE WHEN compte LIKE '6%' AND compte NOT LIKE '675%' AND compte NOT LIKE '676%' THEN 'fonctionnement' "
    "WHEN compte LIKE '20%' OR compte LIKE '21%' OR compte LIKE '23%' THEN 'investissement' END")
"""Account filter of :func:`extraire_balances` (M14 nature accounts, leaf accounts of the balance)."""


def lire_population(chemin: str | os.PathLike) -> pd.DataFrame:
    """Read a population table: ``populations_communes.parquet`` (from ``extraire comptes``), a comptes
    individuels parquet (``code_insee``, ``an``, ``pop1``, ``nomsst1``), or an INSEE-like CSV/Parquet with
    ``code_insee`` (or ``CODGEO``) and a population column (``pop1``, ``population``,
    ``population_municipale``, ``PMUN…``), with or without ``an``.

    Returns ``code_insee``, ``an`` (nullable: same population for every year), ``population``, ``strate``
    (``nomsst1`` when given, otherwise :func:`orleans_gov.base.territoire.strate_dgfip`).
    """
    chemin = Path(chemin)
    if not chemin.exists():
        raise ErreurDonnees("fichier de population introuvable", fichier=chemin)
    if chemin.suffix.lower() == ".parquet":
        df = pd.read_parquet(chemin)
    else:
        df = pd.read_csv(chemin, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    cols = {c.lower(): c for c in df.columns}
    code = cols.get("code_insee") or cols.get("codgeo") or cols.get("com_code")
    if code is None:
        raise ErreurDonnees("colonne « code_insee » (ou CODGEO) absente", fichier=chemin, ligne=1, colonne="code_insee")
    pop = next((cols[c] for c in ("pop1", "population", "population_municipale", "ptot") if c in cols), None)
    if pop is None:
        pmun = sorted(c for c in df.columns if c.upper().startswith("PMUN"))
        pop = pmun[-1] if pmun else None
    if pop is None:
        raise ErreurDonnees("colonne de population absente (pop1, population, population_municipale, PMUNxx)",
                            fichier=chemin, ligne=1, colonne="population")
    out = pd.DataFrame({"code_insee": df[code].astype(str).str.zfill(5),
                        "population": pd.to_numeric(df[pop], errors="coerce")})
    an = cols.get("an") or cols.get("millesime") or cols.get("millesime_recensement")
    out["an"] = pd.to_numeric(df[an], errors="coerce").astype("Int64") if an else pd.array([pd.NA] * len(df), "Int64")
    if "nomsst1" in cols:
        out["strate"] = df[cols["nomsst1"]].astype("string")
    else:
        out["strate"] = [strate_dgfip(p) if pd.notna(p) and p >= 0 else pd.NA for p in out["population"]]
        out["strate"] = out["strate"].astype("string")
    mauvais = out["population"].isna() | (out["population"] < 0)
    if mauvais.all():
        raise ErreurDonnees("aucune population numérique", fichier=chemin, colonne=pop)
    return out[~mauvais].reset_index(drop=True)


def moyennes_fonction(communes: pd.DataFrame, population: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join populations to the per-commune totals and compute strata means by function.

    Strata mean (DGFiP convention for the « moyenne de la strate »): Σ amounts of the communes of the band ÷
    Σ their populations, in €/hab, per (``an``, ``strate``, ``fonction``, ``section``). Only communes that
    present at least one functional line that year (``fonction`` not missing) and have a population count;
    a commune without spending in one function still counts in the band's population (amount 0).
    Returns (communes with ``population``, ``strate``, ``euros_par_hab``; strata means).
    """
    pop_an = population[population["an"].notna()].drop_duplicates(["code_insee", "an"])
    pop_sans = population[population["an"].isna()].drop_duplicates(["code_insee"])
    c = communes.copy()
    c["an"] = c["an"].astype("int64")
    j = c.merge(pop_an.astype({"an": "int64"}), on=["code_insee", "an"], how="left")
    if not pop_sans.empty:
        j2 = c.merge(pop_sans.drop(columns="an"), on="code_insee", how="left")
        j["population"] = j["population"].fillna(j2["population"])
        j["strate"] = j["strate"].fillna(j2["strate"])
    j["euros_par_hab"] = j["montant"] * 1000.0 / j["population"].where(j["population"] > 0)
    ventilees = j[j["fonction"].notna() & j["population"].notna() & (j["population"] > 0)]
    base = ventilees[["code_insee", "an", "strate", "population"]].drop_duplicates(["code_insee", "an"])
    pop_strate = base.groupby(["an", "strate"], as_index=False).agg(nb_communes=("code_insee", "nunique"),
                                                                     population=("population", "sum"))
    sommes = ventilees.groupby(["an", "strate", "fonction", "section"], as_index=False)["montant"].sum()
    m = sommes.merge(pop_strate, on=["an", "strate"], how="left")
    m["euros_par_hab"] = m["montant"] * 1000.0 / m["population"]
    m = m[["an", "strate", "fonction", "section", "nb_communes", "population", "montant", "euros_par_hab"]]
    return j, m.sort_values(["an", "strate", "fonction", "section"]).reset_index(drop=True)


def extraire_balances(fichier: str | os.PathLike, sortie: str | os.PathLike, *,
                      population: str | os.PathLike | None = None, codes_insee: Sequence[str] = CODES_INSEE,
                      siren_agglo: str = SIREN_AGGLO, memoire: str = MEMOIRE_PAR_DEFAUT,
                      threads: int = THREADS_PAR_DEFAUT, encodage: str | None = None,
                      dossier_temp: str | os.PathLike | None = None) -> Rapport:
    """Real spending by M14 function from a national DGFiP nature × fonction balance file.

    Definitions (instruction budgétaire et comptable M14; balance fields of docs/FORMATS.md §4):

    - ``OBNETDEB`` = budgetary debit operations net of cancellations (mandats émis − annulés), ``OOBDEB`` =
      the order operations (opérations d'ordre budgétaires) included in them. **Real spending of an expense
      account = OBNETDEB − OOBDEB** (real budgetary debits). Credits on class 6 accounts (e.g. 6419,
      atténuations de charges) are revenue in M14 and are *not* subtracted; ``OBNETCRE`` is not used.
    - **fonctionnement** = class 6 accounts (``COMPTE`` starting with 6) except 675 (valeur comptable des
      immobilisations cédées) and 676 (différences sur réalisations transférées en investissement): in M14
      both only ever carry order entries (chapter 042, disposals); they are excluded explicitly in case an
      order entry is not flagged in ``OOBDEB``. Class 68 (dotations) stays in: its order part is removed by
      ``OOBDEB`` while semi-budgetary provisions, which are real, remain.
    - **investissement** = dépenses d'équipement: accounts 20 (immobilisations incorporelles, including 204
      subventions d'équipement versées), 21 (immobilisations corporelles), 23 (immobilisations en cours),
      real debits as above (transfers 23 → 21 and 2031 → 21/23 are order entries, removed by ``OOBDEB``).
      Debt repayment (16), financial assets (26/27) and third-party operations (45) are excluded.
    - ``fonction`` = first digit of ``FONCTION`` (M14 top-level function, :data:`FONCTIONS_M14`; ``01``
      « opérations non ventilables » falls under 0). Lines without function (functional presentation
      compulsory only from 3 500 inhabitants) get a missing ``fonction``.
    - scope: budget principal only (``CBUDG`` = 1), M14 only (``NOMEN`` starting with M14). M57 lines are
      counted and reported, never mixed (the M57 functions are numbered differently).
    - communes: ``siren`` starting with 21 (the INSEE numbers every commune 21…; CCAS 26…, syndicats 25…,
      EPCI 24…/20… share the commune's ``INSEE`` but not its SIREN prefix); ``code_insee`` =
      ``NDEPT`` (3 characters) + ``INSEE`` (3 characters), e.g. 045 + 234 → 45234. Perimeter: our 22 codes;
      agglomeration: ``siren`` = 244500468.

    Outputs (amounts in k€): ``depenses_fonction_perimetre.parquet`` (``entite``, ``an``, ``fonction``,
    ``section``, ``montant``, ``provenance``), ``depenses_fonction_communes.parquet`` (``code_insee``, ``an``,
    ``fonction``, ``section``, ``montant`` and, when ``population`` is given, ``population``, ``strate``,
    ``euros_par_hab``) and, with ``population``, ``moyennes_fonction_strates.parquet``
    (:func:`moyennes_fonction`).
    """
    t0 = time.perf_counter()
    chemin, sortie = Path(fichier), Path(sortie)
    entete = lire_entete(chemin, minuscules=True, encodage=encodage)
    colonnes = list(entete.colonnes)
    manquantes = [c for c in REQUISES_BALANCES if c not in colonnes]
    if manquantes:
        raise ErreurDonnees(f"colonne obligatoire absente (en-tête lu : {', '.join(colonnes[:8])}…)",
                            fichier=chemin, ligne=1, colonne=manquantes[0])
    types = {c: ("DOUBLE" if c in MONTANTS_BALANCES else "VARCHAR") for c in colonnes}
    # The columns read (codes, amounts) are ASCII in the official files; DuckDB validates the encoding only on
    # the columns it reads, so ISO-8859-1 files are first read in UTF-8 mode (about 1.5× faster than DuckDB's
    # latin-1 transcoding; LBUDG, the only accented column, is never read) and read again as latin-1 if a
    # column read holds a non-ASCII byte. UTF-8 files (API exports, with BOM) are read as UTF-8.
    if encodage:
        essais = [encodage]
    else:
        essais = ["utf-8"] if entete.encodage == "utf-8" else ["utf-8", "latin-1"]
    rapport = Rapport(encodage=entete.encodage if not encodage else encodage)
    icoms = sorted({c[2:] for c in codes_insee if c.startswith(DEP_DGFIP[1:])})
    # communes: SIREN starting with 21 (INSEE numbering of the communes; EPCI 24/20, syndicats 25, CCAS 26 …)
    est_commune = "(siren LIKE '21%')"
    # One streamed scan; cheap row filters (budget principal, commune or agglomeration, spending account),
    # then GROUP BY on the raw codes. Derived keys (code INSEE, year, nomenclature family) are computed on
    # the few hundred thousand groups afterwards, not on every line.
    sql = f"""
        SELECT est_commune, siren, ndept, insee, exer, nomen, fonction, section,
               sum(coalesce(obnetdeb, 0) - coalesce(oobdeb, 0)) AS montant_euros, count(*) AS lignes
        FROM (
            SELECT {est_commune} AS est_commune, siren, ndept, insee, exer, nomen,
                   left(ltrim(fonction), 1) AS fonction, {SQL_SECTION} AS section, obnetdeb, oobdeb
            FROM {{src}}
            WHERE cbudg IN ('1', '01') AND ({est_commune} OR siren = '{siren_agglo}')
        )
        WHERE section IS NOT NULL
        GROUP BY ALL
    """
    liste_icoms = ", ".join(f"'{i}'" for i in icoms)
    con = connexion(memoire, threads, dossier_temp)
    try:
        for k, enc in enumerate(essais):
            try:
                con.execute("CREATE OR REPLACE TEMP TABLE g AS "
                            + sql.replace("{src}", source_csv(chemin, types, encodage=enc, decimale=",")))
                break
            except duckdb.Error as exc:
                if k + 1 < len(essais) and "unicode" in str(exc).lower():
                    rapport.remarques.append("octets non ASCII dans les colonnes lues : relu en ISO-8859-1")
                    continue
                raise erreur_duckdb(exc, chemin, decimale=",") from None
        if con.execute("SELECT count(*) FROM g").fetchone()[0] == 0:
            raise ErreurDonnees("aucune ligne de dépense (comptes 6, 20, 21, 23) du budget principal (CBUDG = 1) "
                                "d'une commune ou de l'agglomération", fichier=chemin, colonne="cbudg")
        # derived keys on the groups (same rules as territoire.code_insee_depuis_dgfip), in SQL
        dep, ins = "lpad(trim(ndept), 3, '0')", "lpad(trim(insee), 3, '0')"
        con.execute(f"""
            CREATE TEMP TABLE d AS
            SELECT coalesce(est_commune, false) AS est_commune, trim(siren) AS siren,
                   {_sql_code_insee(dep, ins)} AS code_insee, trim(exer) AS exer,
                   CASE WHEN regexp_full_match(trim(exer), '[0-9]{{4}}') THEN CAST(trim(exer) AS INTEGER) END AS an,
                   CASE WHEN upper(trim(nomen)) LIKE 'M14%' THEN 'M14' WHEN upper(trim(nomen)) LIKE 'M57%' THEN 'M57'
                        ELSE 'autre' END AS famille,
                   CASE WHEN fonction BETWEEN '0' AND '9' THEN fonction END AS fonction, section,
                   montant_euros, lignes,
                   (coalesce(est_commune, false) AND {dep} = '{DEP_DGFIP}' AND {ins} IN ({liste_icoms}))
                       OR trim(siren) = '{siren_agglo}' AS perimetre
            FROM g""")
        mauvais = con.execute("SELECT exer FROM d WHERE an IS NULL LIMIT 1").fetchone()
        if mauvais:
            raise ErreurDonnees("exercice attendu sur 4 chiffres", fichier=chemin, colonne="exer", valeur=mauvais[0])
        con.execute("ALTER TABLE d ADD COLUMN entite VARCHAR")
        con.execute("UPDATE d SET entite = CASE WHEN est_commune THEN code_insee ELSE siren END")
        stats = con.execute("SELECT famille, sum(lignes), sum(lignes) FILTER (WHERE perimetre), "
                            "list(DISTINCT entite ORDER BY entite) FILTER (WHERE perimetre) FROM d "
                            "WHERE famille <> 'M14' GROUP BY famille").fetchall()
        perim = con.execute(
            "SELECT entite, an, fonction, section, sum(montant_euros) / 1000.0 AS montant, 'réel' AS provenance "
            "FROM d WHERE famille = 'M14' AND perimetre GROUP BY ALL "
            "ORDER BY entite, an, section, fonction NULLS FIRST").df()
        communes = con.execute(
            "SELECT code_insee, an, fonction, section, sum(montant_euros) / 1000.0 AS montant "
            "FROM d WHERE famille = 'M14' AND est_commune GROUP BY ALL "
            "ORDER BY code_insee, an, section, fonction NULLS FIRST").df()
    finally:
        con.close()
    for famille, n, n_per, entites in stats:
        if famille == "M57":
            rapport.remarques.append(
                f"{int(n)} lignes M57 de dépenses (budget principal, comptes retenus) écartées, dont {int(n_per or 0)} "
                f"du périmètre ({', '.join(entites or []) or 'aucune entité'}) : les fonctions M57 sont numérotées "
                "autrement que celles de la M14 et ne sont pas mélangées")
        else:
            rapport.remarques.append(f"{int(n)} lignes d'une autre nomenclature que M14/M57 écartées")
    for df, cle in ((perim, "entite"), (communes, "code_insee")):
        df["an"] = df["an"].astype("int64")
        for c in (cle, "fonction", "section"):
            df[c] = df[c].astype("string")
    perim["provenance"] = perim["provenance"].astype("string")
    absentes = sorted(set(codes_insee) | {siren_agglo})
    absentes = [e for e in absentes if e not in set(perim["entite"])]
    if absentes:
        rapport.remarques.append(f"entité(s) du périmètre sans dépense M14 de budget principal dans le fichier : "
                                 f"{', '.join(absentes)}")
    sans_fonction = int(communes["fonction"].isna().sum())
    if sans_fonction:
        rapport.remarques.append(f"{sans_fonction} totaux communaux sans fonction (présentation fonctionnelle non "
                                 "obligatoire sous 3 500 hab) : fonction manquante, exclus des moyennes de strate")
    sorties: dict[str, pd.DataFrame] = {"depenses_fonction_perimetre": perim}
    if population is not None:
        pops = lire_population(population)
        communes, moyennes = moyennes_fonction(communes, pops)
        sorties["depenses_fonction_communes"] = communes
        sorties["moyennes_fonction_strates"] = moyennes
        sans_pop = communes.loc[communes["population"].isna(), "code_insee"].nunique()
        if sans_pop:
            rapport.remarques.append(f"{sans_pop} commune(s) sans population dans {Path(population).name} : "
                                     "exclues des moyennes de strate")
    else:
        sorties["depenses_fonction_communes"] = communes
        rapport.remarques.append("aucune population fournie (--population) : montants seulement, pas de €/hab ni "
                                 "de moyennes de strate par fonction")
    for nom, df in sorties.items():
        _ecrire_parquet(df, sortie / f"{nom}.parquet")
        rapport.fichiers[nom] = sortie / f"{nom}.parquet"
        rapport.lignes[nom] = len(df)
    rapport.secondes = time.perf_counter() - t0
    return rapport
