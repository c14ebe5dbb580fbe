"""``orleans-gov rapports``: render the whole deliverable set."""
from __future__ import annotations

import argparse
import sys

from orleans_gov.cli import options
from orleans_gov.rendu import ErreurSortie, lister_taches, rendre, resume


# ------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------
def _barre(args: argparse.Namespace) -> bool:
    """Progress bars only on a terminal (not in logs, CI or papermill output) and not with ``--sans-barre``."""
    return not args.sans_barre and bool(getattr(sys.stderr, "isatty", lambda: False)())


def _commande(args: argparse.Namespace) -> int:
    try:
        taches = lister_taches(args.dossier_notebooks, notebooks=args.notebooks, entites=args.entites,
                               dossier_donnees=args.dossier_donnees)
    except (ValueError, KeyError) as exc:
        print(f"erreur : {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    if not taches:
        print(f"aucun carnet à rendre dans {args.dossier_notebooks}", file=sys.stderr)
        return 2
    try:
        dossier, resultats = rendre(taches, sortie=args.sortie, jobs=args.jobs, timeout=args.timeout, pdf=args.pdf,
                                    dossier_donnees=args.dossier_donnees, noyaux_chauds=not args.noyaux_standard,
                                    barre=_barre(args), tout=args.tout, date=args.date)
    except ErreurSortie as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    print(resume(dossier, resultats))
    return 0 if all(r.statut == "ok" for r in resultats) else 1


def configurer_cli(subparsers) -> None:
    """Add ``orleans-gov rapports`` to the CLI (arguments declared in :mod:`orleans_gov.cli.options`)."""
    options.rapports(subparsers)


def main(argv: list[str] | None = None) -> int:
    """``python -m orleans_gov.cli.rapports`` (same options as ``orleans-gov rapports``)."""
    parser = argparse.ArgumentParser(prog="orleans_gov.cli.rapports")
    sous = parser.add_subparsers(dest="commande", required=True)
    configurer_cli(sous)
    args = parser.parse_args(["rapports", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
