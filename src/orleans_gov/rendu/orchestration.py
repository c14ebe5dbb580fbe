"""One rendering run: ``reports/<AAAAMMJJ-HHMMSS>/``, the deliverables, index, manifest, PDF, ``reports/latest``.

:func:`rendre` creates the run folder, fingerprints the inputs of every deliverable
(:mod:`orleans_gov.rendu.entrees`), copies the deliverables whose inputs did not change from a previous run
(:mod:`orleans_gov.rendu.reutilisation`; ``tout=True`` renders everything), executes the others
(:mod:`orleans_gov.rendu.execution`), optionally prints the PDFs (:mod:`orleans_gov.rendu.pdf`), writes
``index.html`` (:mod:`orleans_gov.rendu.index`) and ``manifest.json`` (:mod:`orleans_gov.rendu.manifeste`),
then points ``reports/latest`` to the new run with one atomic replace. :func:`resume` is the French summary.

The date printed on the covers, in the pages' footers and in the Excel annexes is the **run date**: ``date``
when given (``--date``), else ``$SOURCE_DATE_EPOCH`` (the reproducible-builds convention) when set, else today.
No time of day is printed in a deliverable, so two renderings of the same inputs on the same run date are
byte-identical (the time is in the index's technical log and in the manifest only). The kernels run with
``PYTHONHASHSEED=0`` unless it is set, so that nothing in a page depends on the order of a set of strings.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orleans_gov.base.catalogue import RACINE_PROJET, VARIABLE_ENV, Catalogue
from orleans_gov.base.fichiers import remplacer_atomique, version_paquet
from orleans_gov.rendu.entrees import calculer_entrees_communes, differences, entrees_tache
from orleans_gov.rendu.execution import executer_taches
from orleans_gov.rendu.html import css_maison, date_francaise
from orleans_gov.rendu.index import ecrire_index
from orleans_gov.rendu.manifeste import ecrire_manifeste, millesime_donnees
from orleans_gov.rendu.pdf import imprimer_pdfs
from orleans_gov.rendu.reutilisation import dernier_rendu, reutiliser_tout, runs_precedents, trouver
from orleans_gov.rendu.taches import ErreurSortie, Resultat, Tache
from orleans_gov.restitution.textes import accorde

NOM_LIEN = "latest"


def _mettre_a_jour_latest(racine: Path, dossier: Path) -> None:
    """``<racine>/latest`` → ``dossier`` (relative link written aside, then swapped in atomically)."""
    temporaire = racine / f".{NOM_LIEN}-{os.getpid()}"
    if temporaire.is_symlink() or temporaire.exists():
        temporaire.unlink()
    temporaire.symlink_to(dossier.name, target_is_directory=True)
    remplacer_atomique(temporaire, racine / NOM_LIEN)


def _nouveau_dossier(racine: Path, maintenant: dt.datetime) -> Path:
    """A new run folder under ``racine``; :class:`ErreurSortie` when it cannot be created or written."""
    base = maintenant.strftime("%Y%m%d-%H%M%S")
    try:
        racine.mkdir(parents=True, exist_ok=True)
        dossier = racine / base
        i = 1
        while dossier.exists():
            i += 1
            dossier = racine / f"{base}-{i}"
        dossier.mkdir()
        essai = dossier / ".ecriture"
        essai.write_bytes(b"")
        essai.unlink()
    except OSError as exc:
        raise ErreurSortie(f"dossier de sortie inutilisable : {racine} ({exc.strerror or exc})") from exc
    return dossier


def date_du_run(date: dt.date | None = None, maintenant: dt.datetime | None = None) -> dt.date:
    """``date``, else ``$SOURCE_DATE_EPOCH`` (UTC), else the day of ``maintenant``, else today."""
    if date is not None:
        return date
    epoque = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoque.isdigit():
        return dt.datetime.fromtimestamp(int(epoque), tz=dt.timezone.utc).date()
    return (maintenant or dt.datetime.now()).date()


@contextlib.contextmanager
def _environnement_noyaux(donnees: Path | None) -> Iterator[None]:
    """While the kernels run: ``$ORLEANS_GOV_DATA`` set to the run's data folder when one is given (notebooks
    without the parameter inherit it) and ``PYTHONHASHSEED=0`` unless already set; then both restored."""
    valeurs = {"PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED") or "0"}
    if donnees is not None:
        valeurs[VARIABLE_ENV] = str(donnees)
    avant = {k: os.environ.get(k) for k in valeurs}
    os.environ.update(valeurs)
    try:
        yield
    finally:
        for k, v in avant.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _raison(tache: Tache, entrees: dict[str, Any], runs: list, tout: bool) -> str:
    """Why ``tache`` is rendered in this run (in French, shown in the technical log)."""
    if tout:
        return "--tout"
    precedent = dernier_rendu(tache.nom, runs)
    if precedent is None:
        return "premier rendu"
    if precedent.get("statut") != "ok":
        return "échec au rendu précédent"
    if (precedent.get("entrees") or {}).get("empreinte") == entrees["empreinte"]:
        return "fichiers du rendu précédent absents ou modifiés"
    return differences(precedent.get("entrees"), entrees)


def _preparer(taches: list[Tache], racine: Path, dossier: Path, donnees: Path, kernel_name: str, tout: bool,
              barre: bool) -> tuple[list[Tache], dict[str, Resultat], dict[str, dict[str, Any]], Any]:
    """Fingerprint every deliverable, copy the unchanged ones; returns (to execute, reused results by name,
    inputs by name, shared inputs)."""
    try:
        communes = calculer_entrees_communes(donnees, taches)
        entrees = {t.nom: entrees_tache(t, communes, kernel_name) for t in taches if not t.invalide}
    except Exception as exc:  # noqa: BLE001 - e.g. a file removed while hashing: render everything
        print(f"Empreintes des entrées non calculées ({type(exc).__name__} : {exc}) : tous les livrables sont "
              "rendus.", file=sys.stderr)
        return list(taches), {}, {}, None
    runs = runs_precedents(racine, exclure=dossier)
    choix, a_executer = [], []
    for t in taches:
        trouve = None if (tout or t.invalide) else trouver(t.nom, entrees[t.nom]["empreinte"], runs)
        if trouve is None:
            a_executer.append(t)
        else:
            choix.append((t, trouve))
    reutilises: dict[str, Resultat] = {}
    for (t, _trouve), res in zip(choix, reutiliser_tout([c for _t, c in choix], dossier, barre=barre)):
        if res is None:
            a_executer.append(t)  # a file changed since: render it
        else:
            reutilises[t.nom] = res
    ordre = {t.nom: i for i, t in enumerate(taches)}
    a_executer.sort(key=lambda t: ordre[t.nom])
    for t in a_executer:
        if t.nom in entrees:
            entrees[t.nom]["raison"] = _raison(t, entrees[t.nom], runs, tout)
    return a_executer, reutilises, entrees, communes


def rendre(taches: list[Tache], sortie: str | os.PathLike = RACINE_PROJET / "reports", jobs: int | None = None,
           timeout: float | None = 1800, pdf: bool = False, dossier_donnees: str | os.PathLike | None = None,
           noyaux_chauds: bool = True, barre: bool = True, kernel_name: str = "python3",
           maintenant: dt.datetime | None = None, tout: bool = False,
           date: dt.date | None = None) -> tuple[Path, list[Resultat]]:
    """Render ``taches`` into ``<sortie>/<AAAAMMJJ-HHMMSS>/``; returns (run folder, results in task order).

    Deliverables whose inputs are those of a previous run are copied from it (``tout=True``: everything is
    rendered). ``date``: the run date printed in the deliverables (see the module docstring)."""
    debut = time.perf_counter()
    racine = Path(sortie).resolve()
    jour = date_du_run(date, maintenant)
    maintenant = maintenant or dt.datetime.now()
    dossier = _nouveau_dossier(racine, maintenant)
    donnees = Catalogue.depuis(dossier_donnees).racine
    contexte: dict[str, Any] = {
        "css": css_maison(),
        "date": date_francaise(jour),
        "date_iso": jour,
        "horodatage": maintenant.strftime("%Y-%m-%d %H:%M:%S"),
        "millesime": millesime_donnees(donnees),
        "version": version_paquet("orleans_gov", defaut="dev"),
        "timeout": timeout,
        "noyaux_chauds": noyaux_chauds,
        "kernel_name": kernel_name,
    }
    a_executer, reutilises, entrees, communes = _preparer(taches, racine, dossier, donnees, kernel_name, tout, barre)
    jobs_pdf = max(1, jobs or os.cpu_count() or 1)
    jobs = max(1, min(jobs_pdf, len(a_executer) or 1))
    with _environnement_noyaux(donnees if dossier_donnees is not None else None):
        executes = {r.nom: r for r in executer_taches(a_executer, dossier, contexte, jobs, barre=barre)}
    resultats = []
    for t in taches:
        r = reutilises.get(t.nom) or executes[t.nom]
        if t.nom in entrees:
            e = dict(entrees[t.nom])
            r.raison = e.pop("raison", None) if t.nom in executes else None  # reused: no reason, a source run
            r.entrees, r.empreinte = e, e["empreinte"]
        if t.nom in executes and r.reussi:
            r.rendu_dans = dossier.name
        resultats.append(r)
    if pdf:
        imprimer_pdfs(dossier, resultats, jobs_pdf, barre=barre)
    duree = time.perf_counter() - debut
    options = {"jobs": jobs, "timeout_s": timeout, "pdf": pdf, "noyaux_chauds": noyaux_chauds,
               "kernel_name": kernel_name, "tout": tout}
    ecrire_index(dossier, resultats, contexte, duree)
    ecrire_manifeste(dossier, resultats, contexte, donnees, duree, options, communes)
    _mettre_a_jour_latest(racine, dossier)
    return dossier, resultats


def resume(dossier: Path, resultats: list[Resultat]) -> str:
    """French summary printed at the end of a run."""
    n_ok = sum(r.reussi for r in resultats)
    n_reutilises = sum(r.reutilise_de is not None for r in resultats)
    n_rendus = len(resultats) - n_reutilises
    lignes = [f"{n_ok}/{len(resultats)} {accorde(len(resultats), 'livrable')} {accorde(n_ok, 'prêt')} dans {dossier} "
              f"({n_rendus} {accorde(n_rendus, 'rendu')}, {n_reutilises} {accorde(n_reutilises, 'réutilisé')} sans "
              f"changement de leurs entrées)", f"Index : {dossier / 'index.html'}"]
    for r in resultats:
        if not r.reussi:
            cell = f", cellule {r.erreur_cellule}" if r.erreur_cellule is not None else ""
            partiel = f" ; carnet partiel : {dossier / r.ipynb}" if r.ipynb else ""
            lignes.append(f"  ÉCHEC {r.nom}{cell} : {r.erreur()}{partiel}")
    return "\n".join(lignes)
