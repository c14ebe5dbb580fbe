"""orleans_gov — gouvernance du bloc communal de l'agglomération d'Orléans (22 communes + la communauté
d'agglomération Orléans Val de Loire, SIREN 244500468): diagnostic, organisations, scénarios.

The public API is exported here and imported lazily (``import orleans_gov`` does not load pandas): each name is
resolved from its module the first time it is used.

Examples::

    import orleans_gov as og
    finances = og.charger("finances_communes")                # a processed table (docs/TABLES.md)
    indicateurs = og.indicateurs_financiers(finances)           # épargnes, capacité, ratios R.2313-1
    strates = og.comparaison_strate(finances)                   # €/hab against the DGFiP strata means
    bloc = og.bloc_communal(finances, og.charger("finances_agglo"), og.charger("flux_agglo_communes"))
    scenario = og.charger_scenario("config/scenarios/transfert-voirie.yaml")
    resultat = og.projeter(scenario, og.charger_donnees())      # year-by-year projection, resultat.long
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_API: dict[str, str] = {
    # paths and data folder
    "Catalogue": "orleans_gov.base.catalogue",
    "catalogue": "orleans_gov.base.catalogue",
    "dossier_donnees": "orleans_gov.base.catalogue",
    # errors
    "ErreurDonnees": "orleans_gov.base.erreurs",
    "ErreurScenario": "orleans_gov.base.erreurs",
    # perimeter
    "CODES_INSEE": "orleans_gov.base.territoire",
    "COMMUNES": "orleans_gov.base.territoire",
    "SIREN_AGGLO": "orleans_gov.base.territoire",
    "entites_frame": "orleans_gov.base.territoire",
    # legal parameters and vocabulary
    "parametres": "orleans_gov.base.parametres",
    "vocabulaire": "orleans_gov.base",
    # readers of the official formats
    "AvertissementColonnes": "orleans_gov.sources.csv_officiel",
    "ratios_dgfip": "orleans_gov.sources.dgfip",
    "read_comptes_communes": "orleans_gov.sources.dgfip",
    "read_comptes_gfp": "orleans_gov.sources.dgfip",
    "read_fiche_aeff": "orleans_gov.sources.dgfip",
    "read_communes_geo": "orleans_gov.sources.referentiel",
    "read_competences": "orleans_gov.sources.referentiel",
    "read_moyennes_strates": "orleans_gov.sources.referentiel",
    "read_police_municipale": "orleans_gov.sources.referentiel",
    "read_populations": "orleans_gov.sources.referentiel",
    # processed tables
    "charger": "orleans_gov.construction",
    "construire": "orleans_gov.construction",
    "contient_exemple": "orleans_gov.base.provenance",
    # analysis
    "indicateurs_financiers": "orleans_gov.analyse.finances",
    "comparaison_strate": "orleans_gov.analyse.strates",
    "bloc_communal": "orleans_gov.analyse.bloc",
    # scenarios
    "charger_scenario": "orleans_gov.scenarios",
    "charger_donnees": "orleans_gov.scenarios",
    "projeter": "orleans_gov.scenarios",
}
_ALIAS = {"read_geometrie": ("orleans_gov.sources.referentiel", "read_communes_geo")}

__all__ = sorted([*_API, *_ALIAS, "territoire"])


def __getattr__(nom: str) -> Any:
    if nom in _API:
        module = importlib.import_module(_API[nom])
        valeur = getattr(module, nom) if hasattr(module, nom) else importlib.import_module(f"{_API[nom]}.{nom}")
    elif nom in _ALIAS:
        module, vrai = _ALIAS[nom]
        valeur = getattr(importlib.import_module(module), vrai)
    else:
        raise AttributeError(f"module 'orleans_gov' has no attribute {nom!r}")
    globals()[nom] = valeur
    return valeur


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def territoire(dossier=None):
    """The perimeter: 22 communes + the agglomeration, codes, SIREN, names, population by year with its
    status and source, DGFiP population band (processed table ``territoire``).

    >>> import orleans_gov as og
    >>> t = og.territoire()                       # doctest: +SKIP
    >>> t[t["an"] == 2016]["population"].sum()    # doctest: +SKIP
    """
    return __getattr__("charger")("territoire", dossier)
