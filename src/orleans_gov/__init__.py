"""orleans_gov — gouvernance du bloc communal de l'agglomération d'Orléans (22 communes + la communauté
d'agglomération Orléans Val de Loire, SIREN 244500468): diagnostic, organisations, scénarios."""
from __future__ import annotations

__version__ = "0.1.0"

from orleans_gov.base.catalogue import Catalogue, catalogue, dossier_donnees
from orleans_gov.construction import charger, construire, contient_exemple
from orleans_gov.base.erreurs import ErreurDonnees, ErreurScenario
from orleans_gov.sources.csv_officiel import AvertissementColonnes
from orleans_gov.sources.dgfip import ratios_dgfip, read_comptes_communes, read_comptes_gfp, read_fiche_aeff
from orleans_gov.sources.referentiel import (read_communes_geo, read_competences, read_moyennes_strates,
                                  read_police_municipale, read_populations)
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, SIREN_AGGLO, entites_frame


def territoire(dossier=None):
    """The perimeter: 22 communes + the agglomeration, codes, SIREN, names, population by year with its
    status and source, DGFiP population band (processed table ``territoire``)."""
    return charger("territoire", dossier)


read_geometrie = read_communes_geo

__all__ = [
    "Catalogue", "catalogue", "dossier_donnees", "charger", "construire", "contient_exemple", "ErreurDonnees",
    "ErreurScenario", "AvertissementColonnes", "ratios_dgfip", "read_comptes_communes", "read_comptes_gfp",
    "read_fiche_aeff", "read_communes_geo", "read_geometrie", "read_competences", "read_moyennes_strates",
    "read_police_municipale", "read_populations", "territoire", "CODES_INSEE", "COMMUNES", "SIREN_AGGLO",
    "entites_frame",
]
