"""Execution of the deliverables: papermill in-process, in a pool of worker processes, one failure isolated.

Each notebook is executed with papermill **in the worker process** (no shell-out), then exported to HTML
(:mod:`orleans_gov.rendu.html`). The renderer's own imports and the HTML exporter are paid once per worker
(:func:`_initialiser_worker`), and kernels are forked from a warm fork server that has already imported the
scientific stack (:mod:`orleans_gov.rendu.noyau_chaud`): each notebook still gets a fresh kernel process with an
empty namespace. ``noyaux_chauds=False`` falls back to ordinary kernels.

Isolation: a failing notebook (exception in a cell, per-notebook timeout, dead kernel, dead worker) is reported
with its cell, exception name and message and the path of its partial executed notebook; the others complete.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from orleans_gov.base.fichiers import empreinte_fichier
from orleans_gov.rendu.annexes import collecter_tableaux, ecrire_annexe
from orleans_gov.rendu.carnets import ids_du_fichier, normaliser_execute
from orleans_gov.rendu.html import contient_exemple, exporter_html, exporteur_html, titre_notebook
from orleans_gov.rendu.noyau_chaud import classe_gestionnaire_fork, demarrer_serveur_fork
from orleans_gov.rendu.taches import ERREUR_CARNET, OK, Resultat, Tache, ecrire_livrable

LONGUEUR_DETAIL = 4000  # characters of traceback kept in the manifest


def _trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-LONGUEUR_DETAIL:]


def _message_erreur(exc: BaseException) -> tuple[str, str, int | None, str]:
    """(exception name, message, cell index, detail) of a notebook failure."""
    try:
        from papermill.exceptions import PapermillExecutionError  # third-party, lazy (see executer_tache)
    except ImportError:  # pragma: no cover
        PapermillExecutionError = ()  # type: ignore[assignment]
    if isinstance(exc, PapermillExecutionError):
        detail = "\n".join(exc.traceback) if exc.traceback else ""
        detail = re.sub(r"\x1b\[[0-9;]*m", "", detail)
        return exc.ename, str(exc.evalue), exc.cell_index, detail[-LONGUEUR_DETAIL:]
    nom = type(exc).__name__
    if nom == "CellTimeoutError" or isinstance(exc, TimeoutError):
        return "Délai dépassé", str(exc).strip().splitlines()[0] if str(exc).strip() else nom, None, ""
    if nom == "DeadKernelError":
        return "Noyau arrêté", str(exc), None, ""
    return nom, str(exc), None, _trace(exc)


def _reecrire_deterministe(nb, chemin: Path, tache: Tache) -> None:
    """Rewrite the executed notebook without timestamps and with deterministic cell ids (see rendu.carnets)."""
    import nbformat  # third-party, lazy (imported once per worker)

    normaliser_execute(nb, Path(tache.notebook).stem, ids_du_fichier(tache.notebook))
    ecrire_livrable(chemin, nbformat.writes(nb) + "\n")


def _annexe(nb, res: Resultat, tache: Tache, dossier: Path, contexte: dict[str, Any]) -> None:
    """``<livrable>.xlsx`` with every table the notebook emitted (none → no annex)."""
    tableaux, erreurs = collecter_tableaux(nb)
    res.annexe_erreurs = erreurs
    res.annexe_tableaux = len(tableaux)
    if not tableaux:
        return
    chemin = dossier / f"{tache.nom}.xlsx"
    ecrire_annexe(chemin, tableaux, titre_document=res.titre or tache.nom, entite=tache.libelle_entite,
                  date=contexte.get("date_iso"), exemple=res.exemple)
    res.annexe = chemin.name


def executer_tache(tache: Tache, sortie: str, contexte: dict[str, Any]) -> Resultat:
    """Execute one notebook with papermill (in this process), export its HTML and its Excel annex. Never raises."""
    # third-party, lazy: papermill/nbformat are imported by each worker (_initialiser_worker), not by the CLI
    import nbformat
    import papermill as pm

    if tache.invalide:
        return Resultat.echec(tache, erreur_type=ERREUR_CARNET, erreur_message=tache.invalide,
                              titre=Path(tache.notebook).stem)
    dossier = Path(sortie)
    chemin_ipynb = dossier / f"{tache.nom}.ipynb"
    chemin_html = dossier / f"{tache.nom}.html"
    debut = time.perf_counter()
    delai = contexte.get("timeout")
    echeance = (debut + delai) if delai else None

    def _temps_restant(_cell: Any = None) -> int:
        if echeance is None:
            return -1
        return max(1, int(echeance - time.perf_counter()))

    kwargs: dict[str, Any] = {}
    if contexte.get("noyaux_chauds", True) and sys.platform != "win32":
        kwargs["kernel_manager_class"] = classe_gestionnaire_fork()
    if echeance is not None:
        kwargs["timeout_func"] = _temps_restant
    res = Resultat.echec(tache, ipynb=chemin_ipynb.name)
    try:
        nb = pm.execute_notebook(tache.notebook, str(chemin_ipynb), parameters=dict(tache.parametres),
                                 kernel_name=contexte.get("kernel_name", "python3"), progress_bar=False,
                                 log_output=False, cwd=str(Path(tache.notebook).parent),
                                 start_timeout=contexte.get("start_timeout", 60),
                                 # written once at the end (and on a failure), not after every cell: papermill
                                 # re-serialises the whole notebook, figures included, after each of them (issue 16)
                                 request_save_on_cell_execute=False, **kwargs)
        res.duree_execution_s = round(time.perf_counter() - debut, 3)
    except BaseException as exc:  # noqa: BLE001 - isolation: report and go on
        if isinstance(exc, KeyboardInterrupt):
            raise
        res.erreur_type, res.erreur_message, res.erreur_cellule, res.erreur_detail = _message_erreur(exc)
        res.duree_s = round(time.perf_counter() - debut, 3)
        if not chemin_ipynb.exists():
            res.ipynb = None
        else:
            try:
                partiel = nbformat.read(chemin_ipynb, as_version=4)
                _reecrire_deterministe(partiel, chemin_ipynb, tache)
                res.titre = titre_notebook(partiel, Path(tache.notebook).stem)
                res.exemple = contient_exemple(partiel)
            except Exception:  # noqa: BLE001
                pass
        return res
    t_export = time.perf_counter()
    etape = "Export HTML"
    try:
        _reecrire_deterministe(nb, chemin_ipynb, tache)
        page, exemple, n_stderr = exporter_html(nb, tache, contexte)
        ecrire_livrable(chemin_html, page)
        res.html = chemin_html.name
        res.exemple = exemple
        res.avertissements = n_stderr
        res.titre = titre_notebook(nb, Path(tache.notebook).stem)
        etape = "Annexe Excel"
        _annexe(nb, res, tache, dossier, contexte)
        res.sha256 = {f: empreinte_fichier(dossier / f) for f in res.fichiers}
        res.statut = OK
    except Exception as exc:  # noqa: BLE001
        res.erreur_type = f"{etape} : {type(exc).__name__}"
        res.erreur_message = str(exc)
        res.erreur_detail = _trace(exc)
    res.duree_export_s = round(time.perf_counter() - t_export, 3)
    res.duree_s = round(time.perf_counter() - debut, 3)
    return res


def _initialiser_worker(noyaux_chauds: bool = False) -> None:
    """Pay the imports and the exporter once per worker; with warm kernels, start the fork server first, so that
    it imports the scientific stack in its own process while this one imports papermill and nbconvert (≈ 2 s
    each, on two cores at once instead of one after the other: issue 16)."""
    # Kernels forked by the fork server do not need this worker's ``__main__`` (the ``orleans-gov`` script,
    # pytest…): without these two attributes multiprocessing does not re-import it in every kernel (nor in the
    # fork server, which is given the path of ``__main__`` when it starts).
    principal = sys.modules.get("__main__")
    if principal is not None:
        principal.__spec__ = None
        if hasattr(principal, "__file__"):
            del principal.__file__
    if noyaux_chauds:
        demarrer_serveur_fork()
    import nbformat  # noqa: F401  - third-party, imported here once per worker
    import papermill  # noqa: F401

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    exporteur_html()


def executer_taches(taches: list[Tache], dossier: Path, contexte: dict[str, Any], jobs: int,
                    barre: bool = True) -> list[Resultat]:
    """Execute ``taches`` on ``jobs`` worker processes; returns the results in task order (never raises for one
    failed deliverable)."""
    if not taches:
        return []  # everything reused: no worker, no import of the execution stack
    # papermill and nbconvert are imported by each worker (_initialiser_worker), beside its fork server's start
    resultats: dict[str, Resultat] = {}
    ctx = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    chauds = bool(contexte.get("noyaux_chauds", True)) and sys.platform != "win32"
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_initialiser_worker,
                                initargs=(chauds,)) as pool:
        futurs = {pool.submit(executer_tache, t, str(dossier), contexte): t for t in taches}
        progression = None
        if barre:
            from tqdm.auto import tqdm  # third-party, lazy

            progression = tqdm(total=len(taches), desc="Livrables", unit="carnet", file=sys.stderr)
        for futur in cf.as_completed(futurs):
            t = futurs[futur]
            try:
                r = futur.result()
            except BaseException as exc:  # noqa: BLE001 - a dead worker must not hide the others
                r = Resultat.echec(t, erreur_type=type(exc).__name__, erreur_message=str(exc))
            resultats[t.nom] = r
            if progression is not None:
                progression.update(1)
                if not r.reussi:
                    progression.write(f"ÉCHEC {r.nom} : {r.erreur()}")
        if progression is not None:
            progression.close()
    return [resultats[t.nom] for t in taches]
