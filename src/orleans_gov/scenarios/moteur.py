"""The projection engine, as one import (compatibility of the former single module ``moteur``).

The engine is split by concern: :mod:`.donnees` (processed tables), :mod:`.etat` (reference-year state),
:mod:`.actions` (one function per action type), :mod:`.dotations` (CIF, dotation d'intercommunalité),
:mod:`.noyau` (vectorised core, method in its docstring), :mod:`.resultats` (results, comparisons).
"""
from __future__ import annotations

from orleans_gov.scenarios.actions import Effets, effets_actions, repartition_dsc
from orleans_gov.scenarios.donnees import DonneesReference, charger_donnees
from orleans_gov.scenarios.dotations import cif, dotation_intercommunalite
from orleans_gov.scenarios.etat import E, EST_AGGLO, IA, IDX, Base, etat_reference
from orleans_gov.scenarios.noyau import ADDITIFS, BLOC, INDICATEURS, bloc, noyau
from orleans_gov.scenarios.resultats import Resultat, comparer, projeter, synthese_comparaison

__all__ = ["ADDITIFS", "BLOC", "Base", "DonneesReference", "E", "EST_AGGLO", "Effets", "IA", "IDX", "INDICATEURS",
           "Resultat", "bloc", "charger_donnees", "cif", "comparer", "dotation_intercommunalite", "effets_actions",
           "etat_reference", "noyau", "projeter", "repartition_dsc", "synthese_comparaison"]
