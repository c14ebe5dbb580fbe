"""The DGFiP accounts of a data folder: every file found, real rows winning over the sample.

One place reads the folders the catalogue names (real DGFiP files dropped in ``raw/reel/dgfip/``, the real
Orléans AEFF sheets, the generated sample in ``raw/sample/dgfip/``) and merges them with the one precedence rule,
:func:`orleans_gov.base.provenance.reel_prioritaire` (key: entity × year). The build (``construction.finances``)
lays the result out as the processed tables; the sample workbooks (``echantillon.classeurs``) read the personnel
charges of their reference year from it.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.provenance import EXEMPLE, REEL, reel_prioritaire
from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO
from orleans_gov.sources.dgfip import (TOLERANCE_PAR_HABITANT, TOLERANCE_RATIO, read_comptes_communes,
                                       read_comptes_gfp, read_fiche_aeff)

CLE_COMMUNES = ("code_insee", "an")
CLE_GFP = ("siren", "an")


FORMATS_REFUSES = {".xls": "classeur Excel", ".xlsx": "classeur Excel", ".xlsm": "classeur Excel",
                   ".ods": "classeur OpenDocument", ".zip": "archive", ".gz": "archive", ".json": "JSON",
                   ".parquet": "Parquet", ".txt": "texte"}
IGNORES = ("README", "LISEZMOI", "SOURCES")
"""Documentation files a data folder may hold next to the CSV files (``README.md``, ``SOURCES.md``)."""


def fichiers_csv(dossier: Path) -> list[Path]:
    """The CSV files of ``dossier`` (``.csv`` in any case: ``X.CSV`` is read), sorted by name.

    Any other file is refused by name (:class:`ErreurDonnees`): an ``.xls``/``.xlsx`` export or a folder dropped
    here would otherwise be ignored in silence. Hidden files (``.DS_Store``) and the documentation files
    (``README*``, ``SOURCES*``, ``*.md``) are left alone.
    """
    out = []
    for p in sorted(dossier.iterdir()):
        if p.name.startswith((".", "~$")) or p.name.upper().startswith(IGNORES) or p.suffix.lower() == ".md":
            continue
        if p.is_dir():
            raise ErreurDonnees("sous-dossier inattendu : les fichiers CSV sont lus dans ce dossier seulement "
                                "(déplacer son contenu ou le supprimer)", fichier=p)
        if p.suffix.lower() == ".csv":
            out.append(p)
            continue
        nature = FORMATS_REFUSES.get(p.suffix.lower(), "format inconnu")
        raise ErreurDonnees(f"fichier non lu ({nature}) : seuls les fichiers CSV officiels (séparateur « ; ») sont "
                            "lus ici ; l'enregistrer au format CSV ou le retirer du dossier", fichier=p)
    return out


def lire_dossier(dossier: Path, lecteur: Callable[..., pd.DataFrame], **kw) -> list[pd.DataFrame]:
    """Every CSV file of ``dossier`` (:func:`fichiers_csv`) read with ``lecteur``; none when the folder is absent.

    Unknown columns are kept by the readers and reported (their warning is not silenced); a header field one typing
    error away from a known field is refused by the reader.
    """
    if not dossier.exists():
        return []
    if not dossier.is_dir():
        raise ErreurDonnees("un dossier est attendu, c'est un fichier", fichier=dossier)
    return [lecteur(p, **kw) for p in fichiers_csv(dossier)]


def _tolerance(colonne: str, valeur: float, montants: set[str]) -> float:
    """Rounding tolerance between two publications of the same DGFiP figure: 1 €/hab for ``fX``/``mX``, 0,05 point
    for ``rX``/``rmX`` (X among ``montants``), otherwise (k€ amounts, population) 1 unit plus 0,1 %."""
    if colonne[:1] in ("f", "m") and colonne[1:] in montants:
        return TOLERANCE_PAR_HABITANT
    if (colonne[:2] == "rm" and colonne[2:] in montants) or (colonne[:1] == "r" and colonne[1:] in montants):
        return TOLERANCE_RATIO
    return 1.0 + 1e-3 * abs(valeur)


def concilier_fiches(nationaux: pd.DataFrame, fiches: pd.DataFrame) -> pd.DataFrame:
    """Reconcile the AEFF sheets of Orléans with the real DGFiP files covering the same commune-year.

    Rule (one, documented in docs/FIABILITE.md): for a commune-year both give, the **comptes individuels file wins**
    (it carries every column of the vintage; the AEFF sheet prints 62 of them) after every figure the two share has
    been checked within rounding (:func:`_tolerance`); a gap beyond rounding is an :class:`ErreurDonnees` naming both
    files, the year, the column and both values. Returns the sheet rows no national file covers.
    """
    if not len(nationaux) or not len(fiches):
        return fiches
    montants = {c for c in fiches.columns if f"f{c}" in fiches.columns}
    communs = nationaux.merge(fiches[list(CLE_COMMUNES)], on=list(CLE_COMMUNES))
    for _, nat in communs.iterrows():
        fiche = fiches[(fiches["code_insee"] == nat["code_insee"]) & (fiches["an"] == nat["an"])].iloc[0]
        for col in fiches.columns:
            if col in CLE_COMMUNES or col not in nationaux.columns or not pd.api.types.is_float_dtype(fiches[col]):
                continue
            a, b = fiche[col], nat[col]
            if pd.isna(a) or pd.isna(b):
                continue
            if abs(float(a) - float(b)) > _tolerance(col, float(b), montants) + 1e-9:
                raise ErreurDonnees(
                    f"les deux sources réelles de {nat['code_insee']} {int(nat['an'])} diffèrent au-delà de l'arrondi : "
                    f"{float(b):g} dans « {nat['fichier']} », {float(a):g} dans la fiche AEFF « {fiche['fichier']} » "
                    "(vérifier lequel est juste ; retirer l'autre du dossier)",
                    fichier=nat["fichier"], colonne=col, valeur=float(b))
    couverts = pd.MultiIndex.from_frame(nationaux[list(CLE_COMMUNES)])
    return fiches[~pd.MultiIndex.from_frame(fiches[list(CLE_COMMUNES)]).isin(couverts)]


def comptes_communes(cat: Catalogue) -> pd.DataFrame:
    """The communes' accounts of the perimeter, one row per commune and year, real rows winning.

    Real: the DGFiP files of ``raw/reel/dgfip/communes/`` and the AEFF sheets of Orléans (reconciled with a national
    file of the same year by :func:`concilier_fiches`: the national file wins); sample: the files of
    ``raw/sample/dgfip/communes/``. Communes outside the 22 are reported (warning) and left out. Columns as the
    files give them (first file first), ``provenance`` and ``fichier`` included; sorted by commune and year.
    """
    frames = lire_dossier(cat.dgfip_communes_reel, read_comptes_communes, provenance=REEL)
    if cat.fiches_aeff_orleans.exists():
        nationaux = pd.concat(frames, ignore_index=True, sort=False) if frames else pd.DataFrame()
        frames.append(concilier_fiches(nationaux, read_fiche_aeff(cat.fiches_aeff_orleans)))
    frames += lire_dossier(cat.dgfip_communes_sample, read_comptes_communes, provenance=EXEMPLE)
    if not frames:
        raise ErreurDonnees("aucun compte de commune trouvé (ni réel ni exemple) : lancer `orleans-gov echantillon`",
                            fichier=cat.dgfip_communes_sample)
    df = pd.concat(frames, ignore_index=True, sort=False)
    hors = sorted(set(df["code_insee"]) - set(CODES_INSEE))
    if hors:
        warnings.warn(f"{len(hors)} commune(s) hors périmètre ignorée(s) dans les comptes : {', '.join(hors[:10])}")
        df = df[df["code_insee"].isin(CODES_INSEE)]
    return reel_prioritaire(df, CLE_COMMUNES, source=cat.dgfip_communes_reel)


def comptes_gfp(cat: Catalogue) -> pd.DataFrame:
    """The agglomeration's GFP accounts, one row per year, real rows (``raw/reel/dgfip/gfp/``) winning over the
    sample (``raw/sample/dgfip/gfp/``); other groupements of a national file are left out."""
    frames = lire_dossier(cat.dgfip_gfp_reel, read_comptes_gfp, provenance=REEL)
    frames += lire_dossier(cat.dgfip_gfp_sample, read_comptes_gfp, provenance=EXEMPLE)
    if not frames:
        raise ErreurDonnees("aucun compte de l'agglomération trouvé", fichier=cat.dgfip_gfp_sample)
    df = pd.concat(frames, ignore_index=True, sort=False)
    return reel_prioritaire(df[df["siren"] == SIREN_AGGLO], CLE_GFP, source=cat.dgfip_gfp_reel)
