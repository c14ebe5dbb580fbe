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
from orleans_gov.sources.csv_officiel import AvertissementColonnes
from orleans_gov.sources.dgfip import read_comptes_communes, read_comptes_gfp, read_fiche_aeff

CLE_COMMUNES = ("code_insee", "an")
CLE_GFP = ("siren", "an")


def lire_dossier(dossier: Path, lecteur: Callable[..., pd.DataFrame], **kw) -> list[pd.DataFrame]:
    """Every ``*.csv`` of ``dossier`` (sorted by name) read with ``lecteur``; none when the folder is absent.

    Unknown columns are kept by the readers; their warning is silenced here (a build reads every vintage).
    """
    if not dossier.exists():
        return []
    out = []
    for p in sorted(dossier.glob("*.csv")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AvertissementColonnes)
            out.append(lecteur(p, **kw))
    return out


def comptes_communes(cat: Catalogue) -> pd.DataFrame:
    """The communes' accounts of the perimeter, one row per commune and year, real rows winning.

    Real: the DGFiP files of ``raw/reel/dgfip/communes/`` and the AEFF sheets of Orléans; sample: the files of
    ``raw/sample/dgfip/communes/``. Communes outside the 22 are reported (warning) and left out. Columns as the
    files give them (first file first), ``provenance`` and ``fichier`` included; sorted by commune and year.
    """
    frames = lire_dossier(cat.dgfip_communes_reel, read_comptes_communes, provenance=REEL)
    if cat.fiches_aeff_orleans.exists():
        frames.append(read_fiche_aeff(cat.fiches_aeff_orleans))
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
