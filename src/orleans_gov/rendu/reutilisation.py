"""Reuse of a previous run's deliverables whose inputs did not change (issue 16).

The previous runs are the run folders next to the new one (``reports/<AAAAMMJJ-HHMMSS>/``), newest first, at
most :data:`RUNS_EXAMINES`; a run whose ``manifest.json`` is absent or unreadable is skipped. A deliverable is
reused from the newest run where it succeeded with the same input fingerprint (``entrees.empreinte``, see
:mod:`orleans_gov.rendu.entrees`) and where every one of its files is still there **with the sha256 recorded
in that manifest** (a file deleted or edited since is not trusted: the deliverable is rendered again). Reuse =
copy of the files into the new run folder (not a hard link: editing a file of one run must not change another),
the result marked ``reutilise_de`` (the run it was copied from) and ``rendu_dans`` (the run that executed it).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from orleans_gov.base.fichiers import TAILLE_BLOC
from orleans_gov.rendu.taches import MODE_LIVRABLE, OK, Resultat

RUNS_EXAMINES = 20
CHAMPS_RESULTAT = {f.name for f in dataclasses.fields(Resultat)}


@dataclasses.dataclass
class RunPrecedent:
    dossier: Path
    livrables: dict[str, dict[str, Any]]   # deliverable name → its record in the manifest


def _ordre(dossier: Path) -> tuple[str, int]:
    """Sort key of a run folder: its timestamp, then the ``-N`` suffix of runs started in the same second."""
    parties = dossier.name.split("-")
    suffixe = parties[2] if len(parties) > 2 else ""
    return dossier.name[:15], int(suffixe) if suffixe.isdigit() else 1


def runs_precedents(racine: Path, exclure: Path | None = None, limite: int = RUNS_EXAMINES) -> list[RunPrecedent]:
    """The previous runs under ``racine`` with a readable manifest, newest first."""
    dossiers = sorted((d for d in racine.iterdir() if d.is_dir() and not d.is_symlink() and d.name[:1].isdigit()
                       and (exclure is None or d.resolve() != exclure.resolve())),
                      key=_ordre, reverse=True) if racine.exists() else []
    runs = []
    for d in dossiers[:limite]:
        try:
            manifeste = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
            livrables = {str(li["nom"]): li for li in manifeste.get("livrables", []) if isinstance(li, dict)}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        runs.append(RunPrecedent(d, livrables))
    return runs


def _fichiers_intacts(dossier: Path, livrable: dict[str, Any]) -> bool:
    empreintes = livrable.get("sha256") or {}
    fichiers = [livrable.get(k) for k in ("ipynb", "html", "annexe", "pdf") if livrable.get(k)]
    if not livrable.get("html") or not fichiers or any(f not in empreintes for f in fichiers):
        return False
    return all((dossier / f).is_file() for f in fichiers)


def trouver(nom: str, empreinte: str, runs: list[RunPrecedent]) -> tuple[RunPrecedent, dict[str, Any]] | None:
    """The newest run where ``nom`` succeeded with the inputs ``empreinte`` and whose files are all present."""
    for run in runs:
        li = run.livrables.get(nom)
        if li and li.get("statut") == OK and (li.get("entrees") or {}).get("empreinte") == empreinte \
                and _fichiers_intacts(run.dossier, li):
            return run, li
    return None


def dernier_rendu(nom: str, runs: list[RunPrecedent]) -> dict[str, Any] | None:
    """The newest record of ``nom`` (to say why it is rendered again)."""
    for run in runs:
        if nom in run.livrables:
            return run.livrables[nom]
    return None


def copier_verifie(source: Path, cible: Path, sha256: str) -> bool:
    """Copy ``source`` to ``cible`` while hashing it; False (and no file left) when the sha256 differs."""
    h = hashlib.sha256()
    temporaire = cible.with_name(f".{cible.name}.copie")
    with open(source, "rb") as entree, open(temporaire, "wb") as sortie:
        for bloc in iter(lambda: entree.read(TAILLE_BLOC), b""):
            h.update(bloc)
            sortie.write(bloc)
    if h.hexdigest() != sha256:
        temporaire.unlink()
        return False
    shutil.copystat(source, temporaire)
    os.chmod(temporaire, MODE_LIVRABLE)
    temporaire.replace(cible)
    return True


def reutiliser(run: RunPrecedent, livrable: dict[str, Any], dossier: Path) -> Resultat | None:
    """Copy the files of ``livrable`` from ``run`` into ``dossier``; the reused result, or None when a file no
    longer has its recorded sha256 (whatever was copied is removed)."""
    copies: list[Path] = []
    for cle in ("ipynb", "html", "annexe", "pdf"):
        nom = livrable.get(cle)
        if not nom:
            continue
        cible = dossier / nom
        if not copier_verifie(run.dossier / nom, cible, livrable["sha256"][nom]):
            for c in copies:
                c.unlink(missing_ok=True)
            return None
        copies.append(cible)
    champs = {k: v for k, v in livrable.items() if k in CHAMPS_RESULTAT}
    res = Resultat(**champs)
    res.reutilise_de = run.dossier.name
    res.rendu_dans = livrable.get("rendu_dans") or run.dossier.name
    res.raison = None
    return res


def reutiliser_tout(choix: list[tuple[RunPrecedent, dict[str, Any]]], dossier: Path,
                    barre: bool = True) -> list[Resultat | None]:
    """:func:`reutiliser` for every (run, record) of ``choix``, with a progress bar (in ``choix`` order)."""
    progression = None
    if barre and choix:
        from tqdm.auto import tqdm  # third-party, lazy

        progression = tqdm(total=len(choix), desc="Réutilisés", unit="livrable", file=sys.stderr)
    resultats = []
    for run, livrable in choix:
        try:
            resultats.append(reutiliser(run, livrable, dossier))
        except OSError:
            resultats.append(None)
        if progression is not None:
            progression.update(1)
    if progression is not None:
        progression.close()
    return resultats
