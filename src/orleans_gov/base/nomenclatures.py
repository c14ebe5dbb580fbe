"""Domain nomenclatures, one definition for the whole package: M14 functions, budget sections, filières,
catégories and statuts of the fonction publique territoriale, support functions, levels of the competence table.

Sources:
- M14 functional presentation, first level (instruction budgétaire et comptable M14, tome I, présentation croisée
  par fonction, compulsory from 3 500 inhabitants; docs/FORMATS.md §4). M57 renumbers them: never mix without a
  mapping;
- filières and catégories of the fonction publique territoriale: the cadres d'emplois are grouped by filière in
  the décrets portant statut particulier (loi n° 84-53 du 26 janvier 1984, art. 4 and 13; catégories A, B, C per
  loi n° 84-16 / 83-634 art. 13 and 29); the DGCL publication « Les collectivités locales en chiffres » (ch. 8,
  fonction publique territoriale) reports staff by these ten filières (« emplois non cités » for the jobs outside
  any cadre d'emplois: collaborateurs de cabinet, emplois aidés, assistants maternels…);
- statuts: titulaire (fonctionnaire, loi n° 84-53 art. 2) or contractuel (agent non titulaire de droit public,
  art. 3 ff.); stagiaires are counted with the titulaires, as in the bilan social;
- levels of the sourced competence table: ``data/raw/reel/competences/README.md``.
"""
from __future__ import annotations

FONCTIONS_M14: dict[str, str] = {
    "0": "Services généraux",
    "1": "Sécurité et salubrité publiques",
    "2": "Enseignement - formation",
    "3": "Culture",
    "4": "Sport et jeunesse",
    "5": "Interventions sociales et santé",
    "6": "Famille",
    "7": "Logement",
    "8": "Aménagement, services urbains, environnement",
    "9": "Action économique",
}
"""M14 functional presentation, first level (code → French label)."""

SECTIONS: tuple[str, ...] = ("fonctionnement", "investissement")
"""The two sections of a budget."""

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
"""Support functions (fonctions support / fonctions ressources) surveyed in the collection workbooks."""

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

NIVEAUX_COMPETENCE: dict[str, str] = {
    "communes": "Communes",
    "agglomération – obligatoire": "Agglomération (obligatoire)",
    "agglomération – optionnelle": "Agglomération (optionnelle)",
    "agglomération – intérêt communautaire": "Agglomération (intérêt communautaire)",
    "agglomération – facultative": "Agglomération (facultative)",
    "partagée": "Partagée",
}
"""Levels of the competence table (data/raw/reel/competences/README.md) → French labels."""

A_CONFIRMER = "à confirmer"
"""Marker of the competence lines supported only indirectly by their source."""
