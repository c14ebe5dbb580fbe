"""Scénarios d'évolution du bloc communal: transfers of competences, shared services, fiscal pact, 2014–2020.

Public entry points: :func:`charger_scenario` (read and validate a scenario file), :func:`charger_donnees` (the
processed tables the engine reads), :func:`projeter` (year-by-year projection → :class:`Resultat`),
:func:`comparer` / :func:`synthese_comparaison`; sensitivity in :mod:`.sensibilite`.

- :mod:`.schema` — scenario files (``config/scenarios/*.yaml``), declarative pydantic schema, every error at once;
- :mod:`.donnees` — the processed tables (:class:`DonneesReference`);
- :mod:`.etat` — reference-year state of the 23 entities;
- :mod:`.actions` — one function per action type (transfert, service commun, pacte financier);
- :mod:`.clect` — évaluation des charges transférées and attributions de compensation (art. 1609 nonies C CGI);
- :mod:`.dotations` — CIF and dotation d'intercommunalité (dated legal parameters);
- :mod:`.noyau` — vectorised year-by-year projection; :mod:`.resultats` — results and comparisons;
- :mod:`.sensibilite` — tornado and Monte-Carlo bands.

No sentence is written here: labels come from :mod:`orleans_gov.base.vocabulaire`, the terminal summary of
``orleans-gov scenario`` from :mod:`orleans_gov.restitution.resume_scenario`.

    >>> from orleans_gov.scenarios import DOSSIER_SCENARIOS, charger_donnees, charger_scenario, projeter
    >>> res = projeter(charger_scenario(DOSSIER_SCENARIOS / "fil-de-l-eau.yaml"), charger_donnees())
    >>> taux = res.large("taux_epargne_brute").loc["bloc"]      # percent, 2013–2020
    >>> bool(taux.between(0, 100).all()), len(taux)
    (True, 8)
"""
from __future__ import annotations

from pathlib import Path

from orleans_gov.base.catalogue import RACINE_PROJET
from orleans_gov.scenarios.donnees import DonneesReference, charger_donnees
from orleans_gov.scenarios.dotations import cif, dotation_intercommunalite
from orleans_gov.scenarios.noyau import BLOC, INDICATEURS
from orleans_gov.scenarios.resultats import Resultat, comparer, projeter, synthese_comparaison
from orleans_gov.scenarios.schema import PacteFinancier, Scenario, ServiceCommun, Transfert, charger_scenario

DOSSIER_SCENARIOS = RACINE_PROJET / "config" / "scenarios"

__all__ = ["BLOC", "DOSSIER_SCENARIOS", "INDICATEURS", "DonneesReference", "PacteFinancier", "Resultat", "Scenario",
           "ServiceCommun", "Transfert", "charger_donnees", "charger_scenario", "cif", "comparer",
           "dotation_intercommunalite", "executer", "projeter", "scenarios_livres", "synthese_comparaison"]


def scenarios_livres() -> list[Path]:
    """The scenario files shipped in ``config/scenarios`` (baseline first, then alphabetical)."""
    fichiers = sorted(DOSSIER_SCENARIOS.glob("*.yaml"))
    return sorted(fichiers, key=lambda p: (p.name != "fil-de-l-eau.yaml", p.name))


def executer(fichier: str | Path, dossier_donnees: str | Path | None = None) -> tuple[Resultat, Resultat]:
    """Load a scenario file and project it and its counterfactual without action. Returns (scenario, contrefactuel)."""
    sc = charger_scenario(fichier)
    donnees = charger_donnees(dossier_donnees)
    return projeter(sc, donnees), projeter(sc.sans_actions(), donnees)
