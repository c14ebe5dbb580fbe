"""One rendering run: ``reports/<AAAAMMJJ-HHMMSS>/``, the deliverables, index, manifest, PDF, ``reports/latest``.

:func:`rendre` creates the run folder, executes the deliverables (:mod:`orleans_gov.rendu.execution`), optionally
prints them to PDF (:mod:`orleans_gov.rendu.pdf`), writes ``index.html`` (:mod:`orleans_gov.rendu.index`) and
``manifest.json`` (:mod:`orleans_gov.rendu.manifeste`), then points ``reports/latest`` to the new run with one
atomic replace. :func:`resume` is the French summary printed at the end.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orleans_gov.base.catalogue import RACINE_PROJET, VARIABLE_ENV, Catalogue
from orleans_gov.base.fichiers import remplacer_atomique
from orleans_gov.rendu.execution import executer_taches
from orleans_gov.rendu.html import css_maison, date_francaise
from orleans_gov.rendu.index import ecrire_index
from orleans_gov.rendu.manifeste import ecrire_manifeste, millesime_donnees, version_paquet
from orleans_gov.rendu.pdf import imprimer_pdfs
from orleans_gov.rendu.taches import Resultat, Tache

NOM_LIEN = "latest"


def _mettre_a_jour_latest(racine: Path, dossier: Path) -> None:
    """``<racine>/latest`` → ``dossier`` (relative link written aside, then swapped in atomically)."""
    temporaire = racine / f".{NOM_LIEN}-{os.getpid()}"
    if temporaire.is_symlink() or temporaire.exists():
        temporaire.unlink()
    temporaire.symlink_to(dossier.name, target_is_directory=True)
    remplacer_atomique(temporaire, racine / NOM_LIEN)


def _nouveau_dossier(racine: Path, maintenant: dt.datetime) -> Path:
    base = maintenant.strftime("%Y%m%d-%H%M%S")
    dossier = racine / base
    i = 1
    while dossier.exists():
        i += 1
        dossier = racine / f"{base}-{i}"
    dossier.mkdir(parents=True)
    return dossier


@contextlib.contextmanager
def _variable_donnees(donnees: Path | None) -> Iterator[None]:
    """``$ORLEANS_GOV_DATA`` set to the run's data folder while the kernels run (notebooks without the parameter
    inherit it), then restored; untouched when ``donnees`` is None."""
    if donnees is None:
        yield
        return
    avant = os.environ.get(VARIABLE_ENV)
    os.environ[VARIABLE_ENV] = str(donnees)
    try:
        yield
    finally:
        if avant is None:
            os.environ.pop(VARIABLE_ENV, None)
        else:
            os.environ[VARIABLE_ENV] = avant


def rendre(taches: list[Tache], sortie: str | os.PathLike = RACINE_PROJET / "reports", jobs: int | None = None,
           timeout: float | None = 1800, pdf: bool = False, dossier_donnees: str | os.PathLike | None = None,
           noyaux_chauds: bool = True, barre: bool = True, kernel_name: str = "python3",
           maintenant: dt.datetime | None = None) -> tuple[Path, list[Resultat]]:
    """Render ``taches`` into ``<sortie>/<AAAAMMJJ-HHMMSS>/``; returns (run folder, results in task order)."""
    debut = time.perf_counter()
    racine = Path(sortie).resolve()
    racine.mkdir(parents=True, exist_ok=True)
    maintenant = maintenant or dt.datetime.now()
    dossier = _nouveau_dossier(racine, maintenant)
    donnees = Catalogue.depuis(dossier_donnees).racine
    contexte: dict[str, Any] = {
        "css": css_maison(),
        "date": date_francaise(maintenant.date()),
        "horodatage": maintenant.strftime("%Y-%m-%d %H:%M:%S"),
        "millesime": millesime_donnees(donnees),
        "version": version_paquet("orleans_gov", defaut="dev"),
        "timeout": timeout,
        "noyaux_chauds": noyaux_chauds,
        "kernel_name": kernel_name,
    }
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(taches) or 1))
    with _variable_donnees(donnees if dossier_donnees is not None else None):
        resultats = executer_taches(taches, dossier, contexte, jobs, barre=barre)
    if pdf:
        imprimer_pdfs(dossier, resultats, jobs)
    duree = time.perf_counter() - debut
    options = {"jobs": jobs, "timeout_s": timeout, "pdf": pdf, "noyaux_chauds": noyaux_chauds,
               "kernel_name": kernel_name}
    ecrire_index(dossier, resultats, contexte, duree)
    ecrire_manifeste(dossier, resultats, contexte, donnees, duree, options)
    _mettre_a_jour_latest(racine, dossier)
    return dossier, resultats


def resume(dossier: Path, resultats: list[Resultat]) -> str:
    """French summary printed at the end of a run."""
    n_ok = sum(r.reussi for r in resultats)
    lignes = [f"{n_ok}/{len(resultats)} livrable(s) rendu(s) dans {dossier}", f"Index : {dossier / 'index.html'}"]
    for r in resultats:
        if not r.reussi:
            cell = f", cellule {r.erreur_cellule}" if r.erreur_cellule is not None else ""
            partiel = f" ; carnet partiel : {dossier / r.ipynb}" if r.ipynb else ""
            lignes.append(f"  ÉCHEC {r.nom}{cell} : {r.erreur()}{partiel}")
    return "\n".join(lignes)
