"""``orleans-gov telecharger``: download the official extracts of the perimeter."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.cli import options
from orleans_gov.sources.telechargement import BASES_PAR_DEFAUT, ErreurTelechargement, Reessais, telecharger


# ----------------------------------------------------------------------------------------------------
# CLI
def commande_telecharger(args: argparse.Namespace) -> int:
    """``orleans-gov telecharger``: returns 0 on success, 1 when the network or the content failed."""
    bases = None
    if getattr(args, "base_url", None):
        bases = {k: args.base_url for k in BASES_PAR_DEFAUT}
    reessais = Reessais(tentatives=args.tentatives, delai=args.delai, timeout=args.timeout)
    sortie = Path(args.sortie) if args.sortie else None
    try:
        recs = telecharger(sortie, args.annees, bases=bases, reessais=reessais,
                           journal=lambda m: print(m, file=sys.stderr))
    except (ErreurTelechargement, ErreurDonnees) as exc:
        cible = sortie if sortie is not None else "le dossier de sortie"
        print(f"Erreur : {exc}\nRien n'a été écrit dans {cible}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        cible = sortie if sortie is not None else "le dossier de sortie"
        print(f"Téléchargement interrompu (Ctrl-C) : {cible} est resté tel qu'il était.", file=sys.stderr)
        return 130
    for r in recs:
        print(f"{r['fichier']} : {r['lignes']} lignes, {r['taille_octets']} octets, sha256 {r['sha256'][:12]}…")
    return 0


def configurer_cli(subparsers) -> None:
    """Register ``telecharger`` on the ``orleans-gov`` command line (arguments declared in :mod:`orleans_gov.cli.options`)."""
    options.telecharger(subparsers)
