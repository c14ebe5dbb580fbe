"""Shared nomenclatures (one definition for the whole package)."""
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
"""M14 functional presentation, first level (instruction budgétaire et comptable M14, présentation croisée par
fonction, compulsory from 3 500 inhabitants; docs/FORMATS.md §4). M57 renumbers them: never mix without a mapping."""
