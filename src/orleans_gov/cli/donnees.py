"""``orleans-gov echantillon`` and ``orleans-gov donnees``: the sample data and the processed tables."""
from __future__ import annotations

import argparse
import sys

from orleans_gov.construction import construire
from orleans_gov.echantillon.comptes import empreinte, generer

__all__ = ["commande_donnees", "commande_echantillon"]


def commande_echantillon(args: argparse.Namespace) -> int:
    chemins = generer(args.dossier_donnees)
    print(f"Données d'exemple écrites : {len(chemins)} fichiers (empreinte {empreinte(args.dossier_donnees)[:12]}).")
    print("Ces données sont SYNTHÉTIQUES : « Données d'exemple — ne pas diffuser ».")
    return 0


def commande_donnees(args: argparse.Namespace) -> int:
    """Build ``data/processed``; a progress bar on stderr when it is a terminal (not with ``--sans-barre``)."""
    print("Construction de data/processed …")
    sys.stdout.flush()
    construire(args.dossier_donnees, verbeux=True, barre=not getattr(args, "sans_barre", False))
    return 0
