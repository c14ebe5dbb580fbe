"""Constants of the collection workbooks' layout (the domain lists themselves are in
:mod:`orleans_gov.base.nomenclatures`)."""
from __future__ import annotations

from orleans_gov.base.nomenclatures import (CATEGORIES, DEFINITIONS_FONCTIONS_SUPPORT, FILIERES,  # noqa: F401
                                            FONCTIONS_M14, FONCTIONS_SUPPORT, SECTIONS, STATUTS)
from orleans_gov.base.provenance import TEXTE_EXEMPLE

OUI_NON: dict[str, bool] = {"oui": True, "non": False}

VERSION_MODELE = "orleans_gov-collecte-1"
MENTION_EXEMPLE = TEXTE_EXEMPLE
MENTION_REEL = "Données déclarées par l'entité"
