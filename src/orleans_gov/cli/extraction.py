"""``orleans-gov extraire comptes|balances``: extract the perimeter from the national DGFiP files."""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.cli import options
from orleans_gov.sources import nationaux
from orleans_gov.sources.nationaux.passe_processus import demarrer_passe


def extraire_comptes(*args, **kwargs) -> nationaux.Rapport:
    """:func:`orleans_gov.sources.nationaux.extraire_comptes` (its module is loaded only when the command runs:
    ``nationaux`` resolves its names lazily; it imports DuckDB and pyarrow, not pandas)."""
    return nationaux.extraire_comptes(*args, **kwargs)


def extraire_balances(*args, **kwargs) -> nationaux.Rapport:
    """:func:`orleans_gov.sources.nationaux.extraire_balances`: its module starts the DuckDB scan before
    importing pandas (loaded during the scan)."""
    return nationaux.extraire_balances(*args, **kwargs)


def _lancer(extraction: Callable[..., nationaux.Rapport], *args, **kwargs) -> int:
    """Run one extraction: its report on stdout and 0, the French data error on stderr and 1, or 130 on Ctrl-C
    (the outputs are written all or nothing: :meth:`Rapport.ecrire`)."""
    try:
        r = extraction(*args, **kwargs)
    except ErreurDonnees as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Extraction interrompue (Ctrl-C) : aucun fichier de sortie n'a été remplacé.", file=sys.stderr)
        return 130
    print(r.texte())
    return 0


def commande_comptes(args: argparse.Namespace) -> int:
    """``orleans-gov extraire comptes FICHIER --sortie DIR``.

    The byte-level pass over the national file starts first, in a child process
    (:func:`~orleans_gov.sources.nationaux.passe_processus.demarrer_passe`), while this process imports the
    extraction module (DuckDB, pyarrow): both hold the GIL and would otherwise add up."""
    passe = demarrer_passe(args.fichier)
    try:
        return _lancer(extraire_comptes, args.fichier, args.sortie, memoire=args.memoire, threads=args.threads,
                       verifier=not args.sans_verification, verifier_strates=args.verifier_strates,
                       populations=args.populations, passe=passe)
    finally:
        if passe is not None:
            passe.abandonner()


def commande_balances(args: argparse.Namespace) -> int:
    """``orleans-gov extraire balances FICHIER --sortie DIR [--population FICHIER]``."""
    return _lancer(extraire_balances, args.fichier, args.sortie, population=args.population, memoire=args.memoire,
                   threads=args.threads, encodage=args.encodage)


def configurer_cli(subparsers) -> None:
    """Register ``extraire comptes`` and ``extraire balances`` on the ``orleans-gov`` command line (arguments declared in :mod:`orleans_gov.cli.options`)."""
    options.extraire(subparsers)
