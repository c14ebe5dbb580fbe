"""``orleans-gov scenario FICHIER.yaml``: project a scenario and write ``resultats.csv`` (long form: ``scenario,
entite, budget, annee, indicateur, valeur``) and ``parametres.csv`` (the legal parameters used each year, with their
reference and the scenario's overrides), then print a short French summary. The Monte-Carlo bands notebook 03 draws
for the scenario (default parameters) are computed into the data folder's cache
(:mod:`orleans_gov.restitution.cache_scenarios`) when they are not there yet."""
from __future__ import annotations

import argparse
from pathlib import Path

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.cli import options
from orleans_gov.restitution.cache_scenarios import BANDES_CARNET, N_TIRAGES_CARNET, monte_carlo_en_cache
from orleans_gov.restitution.resume_scenario import resume
from orleans_gov.restitution.scenarios.equilibre import phrases_equilibre
from orleans_gov.scenarios import charger_donnees, charger_scenario, projeter


def _commande(args: argparse.Namespace) -> int:
    try:
        sc = charger_scenario(args.fichier)
        donnees = charger_donnees(args.dossier_donnees)
        res, ref = projeter(sc, donnees), projeter(sc.sans_actions(), donnees)
    except ErreurDonnees as exc:
        print(f"Erreur : {exc}")
        return 2
    sortie = Path(args.sortie)
    sortie.mkdir(parents=True, exist_ok=True)
    chemin = sortie / "resultats.csv"
    tableau = res.tableau()
    tableau.to_csv(chemin, index=False, float_format="%.6f")
    res.parametres.to_csv(sortie / "parametres.csv", index=False)
    print(resume(res, ref))
    for p in phrases_equilibre(res):
        print(p)
    for a in res.avertissements:
        print(f"Attention : {a}")
    print(f"Résultats : {chemin} ({len(tableau)} lignes)")
    monte_carlo_en_cache(res, donnees, BANDES_CARNET, n_tirages=N_TIRAGES_CARNET, dossier_donnees=args.dossier_donnees)
    return 0


def configurer_cli(subparsers) -> None:
    """Add ``orleans-gov scenario`` to the main CLI (arguments declared in :mod:`orleans_gov.cli.options`)."""
    options.scenario(subparsers)
