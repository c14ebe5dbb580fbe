"""Reference lists of the collection workbooks (filières, catégories, statuts, support functions, M14 functions).

Sources:
- filières and catégories of the fonction publique territoriale: the cadres d'emplois are grouped by filière in
  the décrets portant statut particulier (loi n° 84-53 du 26 janvier 1984, art. 4 and 13 ; catégories A, B, C
  per loi n° 84-16/83-634 art. 13 and 29); the DGCL publication « Les collectivités locales en chiffres » (ch. 8,
  fonction publique territoriale) reports staff by these ten filières (« emplois non cités » for the jobs
  outside any cadre d'emplois: collaborateurs de cabinet, emplois aidés, assistants maternels…);
- statuts: titulaire (fonctionnaire, loi n° 84-53 art. 2) or contractuel (agent non titulaire de droit public,
  art. 3 ff.); stagiaires are counted with the titulaires, as in the bilan social;
- M14 functional presentation (top level 0–9): instruction budgétaire et comptable M14, tome I, nomenclature
  fonctionnelle (see docs/FORMATS.md §4).
"""
from __future__ import annotations

FILIERES: tuple[str, ...] = (
    "administrative",
    "technique",
    "culturelle",
    "sportive",
    "sociale",
    "médico-sociale",
    "police municipale",
    "animation",
    "incendie-secours",
    "emplois non cités",
)
CATEGORIES: tuple[str, ...] = ("A", "B", "C")
STATUTS: tuple[str, ...] = ("titulaire", "contractuel")

# support functions (fonctions support / fonctions ressources) surveyed in the workbooks
FONCTIONS_SUPPORT: tuple[str, ...] = (
    "direction générale",
    "finances",
    "ressources humaines",
    "informatique",
    "juridique et commande publique",
    "communication",
    "services techniques généraux",
    "accueil et affaires générales",
)
DEFINITIONS_FONCTIONS_SUPPORT: dict[str, str] = {
    "direction générale": "DGS, DGA, secrétariat général, assistants de direction, contrôle de gestion",
    "finances": "budget, comptabilité, exécution financière, fiscalité, dette",
    "ressources humaines": "carrière, paie, formation, recrutement, santé au travail",
    "informatique": "systèmes d'information, réseaux, téléphonie, support utilisateurs",
    "juridique et commande publique": "affaires juridiques, assurances, marchés publics, contentieux",
    "communication": "communication externe et interne, journal, site internet, relations presse",
    "services techniques généraux": "bâtiments, ateliers, garage, logistique, entretien des locaux administratifs",
    "accueil et affaires générales": "accueil, état civil, élections, population, courrier, archives, assemblées",
}

# M14 functional presentation, top level (docs/FORMATS.md §4)
from orleans_gov.base.nomenclatures import FONCTIONS_M14  # noqa: E402  (single definition)
SECTIONS: tuple[str, ...] = ("fonctionnement", "investissement")

OUI_NON: dict[str, bool] = {"oui": True, "non": False}

VERSION_MODELE = "orleans_gov-collecte-1"
MENTION_EXEMPLE = "Données d'exemple — ne pas diffuser"
MENTION_REEL = "Données déclarées par l'entité"
