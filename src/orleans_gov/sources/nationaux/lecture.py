"""Byte- and text-level reading of a national DGFiP file: encoding, header line, transcoding for DuckDB.

Nothing here parses data lines: the header is checked (separator, duplicates, unnamed columns) before any scan,
and a CP1252 file — which DuckDB cannot read — is streamed to a temporary UTF-8 copy (:class:`SourceLisible`).
"""
from __future__ import annotations

import codecs
import csv
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import DEP_DGFIP
from orleans_gov.sources.nationaux.progression import attendre

TAILLE_SONDE = 4 << 20  # bytes read to detect the encoding
_COLONNE_VIDE = re.compile(r"^(column_\d+|Unnamed: \d+|)$")


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


def verifier_fichier(chemin: Path, quoi: str = "fichier") -> None:
    """:class:`ErreurDonnees` naming ``chemin`` when it does not exist, is a folder (or anything but a regular
    file) or is empty — before any read, so that no ``IsADirectoryError`` traceback reaches the user."""
    if not chemin.exists():
        raise ErreurDonnees(f"{quoi} introuvable", fichier=chemin)
    if chemin.is_dir():
        raise ErreurDonnees(f"c'est un dossier : un {quoi} était attendu (le fichier national, pas son dossier)",
                            fichier=chemin)
    if not chemin.is_file():
        raise ErreurDonnees(f"ce n'est pas un fichier ordinaire : un {quoi} était attendu", fichier=chemin)
    if chemin.stat().st_size == 0:
        raise ErreurDonnees("le fichier est vide (aucune ligne d'en-tête)", fichier=chemin)


def lire_entete(chemin: Path, *, separateur: str = ";", encodage: str | None = None,
                minuscules: bool = False) -> Entete:
    """Read and check the header line of a national file (no data read).

    Raises :class:`ErreurDonnees` on a missing, unreadable or empty file, a folder, a wrong separator,
    duplicate columns.
    """
    verifier_fichier(chemin)
    try:
        enc, bom = detecter_encodage(chemin)
        with open(chemin, "rb") as f:
            premiere = f.readline(1 << 20)
    except OSError as exc:
        raise ErreurDonnees(f"fichier illisible ({exc.strerror or exc})", fichier=chemin) from None
    if encodage:
        enc = encodage
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


def verifier_requises(colonnes: Sequence[str], requises: Sequence[str], chemin: Path) -> None:
    """:class:`ErreurDonnees` on line 1 naming the first compulsory column missing from the header."""
    manquantes = [c for c in requises if c not in colonnes]
    if manquantes:
        raise ErreurDonnees(f"colonne obligatoire absente (en-tête lu : {', '.join(colonnes[:8])}…)",
                            fichier=chemin, ligne=1, colonne=manquantes[0])


def icoms_perimetre(codes_insee: Sequence[str]) -> list[str]:
    """The DGFiP ``icom`` numbers (3 characters) of the codes INSEE of the département :data:`DEP_DGFIP`
    (inverse of :func:`orleans_gov.base.territoire.code_insee_depuis_dgfip` for a metropolitan département)."""
    return sorted({c[2:] for c in codes_insee if c.startswith(DEP_DGFIP[1:])})


def transcoder_utf8(source: Path, destination: Path, encodage: str, bloc: int = 16 << 20,
                    compteur: list[int] | None = None) -> None:
    """Stream-transcode ``source`` (e.g. CP1252, which DuckDB cannot read) to UTF-8 in 16 MB chunks
    (``compteur``: [bytes read so far, for a progress bar; stop flag, set to 1 to stop after the chunk])."""
    dec = codecs.getincrementaldecoder(encodage)()
    with open(source, "rb") as s, open(destination, "wb") as d:
        for morceau in iter(lambda: s.read(bloc), b""):
            d.write(dec.decode(morceau).encode("utf-8"))
            if compteur is not None:
                compteur[0] += len(morceau)
                if compteur[1]:
                    raise KeyboardInterrupt
        d.write(dec.decode(b"", final=True).encode("utf-8"))


class SourceLisible:
    """Context manager yielding a path DuckDB can read (CP1252 transcoded to a temporary UTF-8 file)."""

    def __init__(self, chemin: Path, encodage: str, dossier_temp: Path | None = None) -> None:
        self.chemin, self.encodage, self.dossier_temp = chemin, encodage, dossier_temp
        self._tmp: Path | None = None

    def __enter__(self) -> tuple[Path, str]:
        if self.encodage == "cp1252":
            fd, tmp = tempfile.mkstemp(suffix=".csv", dir=self.dossier_temp)
            os.close(fd)
            self._tmp = Path(tmp)
            compteur = [0, 0]
            with ThreadPoolExecutor(1, thread_name_prefix="transcodage") as pool:
                futur = pool.submit(transcoder_utf8, self.chemin, self._tmp, "cp1252", compteur=compteur)
                attendre(futur, lambda: float(compteur[0]), f"transcodage CP1252 de {self.chemin.name}",
                         float(max(self.chemin.stat().st_size, 1)), "o", lambda: compteur.__setitem__(1, 1))
            try:
                futur.result()
            except BaseException:
                self._tmp.unlink(missing_ok=True)
                raise
            return self._tmp, "utf-8"
        return self.chemin, self.encodage

    def __exit__(self, *exc) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
