"""``orleans-gov scenario FICHIER.yaml``: project a scenario and write ``resultats.csv`` (long form: ``scenario,
entite, budget, annee, indicateur, valeur``) and ``parametres.csv`` (the legal parameters used each year, with their
reference and the scenario's overrides), then print a short French summary."""
from __future__ import annotations

import argparse
from pathlib import Path

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.cli import options
from orleans_gov.restitution.resume_scenario import resume
from orleans_gov.restitution.scenarios.equilibre import phrases_equilibre
from orleans_gov.scenarios import executer


def _commande(args: argparse.Namespace) -> int:
    try:
        res, ref = executer(args.fichier, args.dossier_donnees)
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
    return 0


def configurer_cli(subparsers) -> None:
    """Add ``orleans-gov scenario`` to the main CLI (arguments declared in :mod:`orleans_gov.cli.options`)."""
    options.scenario(subparsers)
