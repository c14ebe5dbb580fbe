"""``orleans-gov echantillon`` and ``orleans-gov donnees``: the sample data and the processed tables."""
from __future__ import annotations

import argparse
import sys

from orleans_gov.construction import construire_si_necessaire
from orleans_gov.echantillon.comptes import empreinte, generer

__all__ = ["commande_donnees", "commande_echantillon"]


def commande_echantillon(args: argparse.Namespace) -> int:
    chemins = generer(args.dossier_donnees)
    print(f"Données d'exemple écrites : {len(chemins)} fichiers (empreinte {empreinte(args.dossier_donnees)[:12]}).")
    print("Ces données sont SYNTHÉTIQUES : « Données d'exemple — ne pas diffuser ».")
    return 0


def commande_donnees(args: argparse.Namespace) -> int:
    """Build ``data/processed`` unless it is up to date with its inputs (``--tout`` forces it); a progress bar on
    stderr when it is a terminal (not with ``--sans-barre``)."""
    tout = getattr(args, "tout", False)
    print("Construction de data/processed …")
    sys.stdout.flush()
    etat, ecrits = construire_si_necessaire(args.dossier_donnees, verbeux=True, tout=tout,
                                            barre=not getattr(args, "sans_barre", False))
    if not ecrits:
        print("  à jour : mêmes données brutes, configuration, code de construction et bibliothèques que la "
              "dernière construction, tables intactes — rien à reconstruire (--tout pour tout reconstruire).")
    elif not tout:
        print("  reconstruit : " + " ; ".join(etat.raisons[:5]) + (" …" if len(etat.raisons) > 5 else ""))
    return 0
