"""``manifest.json`` of a run, and what it records: what the deliverables were made from and with.

- parameters, status and durations of every deliverable (:class:`~orleans_gov.rendu.taches.Resultat`);
- sha256 of every input file under the data folder's ``raw/`` and ``processed/`` and of every notebook rendered
  (:func:`orleans_gov.base.fichiers.empreinte_fichier`);
- package versions, git commit (and whether the working tree had uncommitted changes), options of the run;
- the data vintage also printed on every cover (:func:`millesime_donnees`), the run date printed in the
  deliverables;
- for every deliverable: its output files with their sha256 (``sha256``), the fingerprint of its inputs
  (``empreinte``, ``entrees``: see :mod:`orleans_gov.rendu.entrees`), why it was rendered (``raison``) or the
  run it was copied from (``reutilise_de``) and the run that produced it (``rendu_dans``);
- ``entrees_communes``: the sha256 of the package's code and of the ``config/`` files shared by all.
"""
from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

from orleans_gov.base.catalogue import RACINE_PROJET, Catalogue
from orleans_gov.base.fichiers import empreinte_fichier
from orleans_gov.rendu.entrees import empreintes, versions_paquets
from orleans_gov.rendu.html import MISSION
from orleans_gov.rendu.taches import Resultat, ecrire_livrable

def commit_git(racine: Path = RACINE_PROJET) -> dict[str, Any] | None:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=racine, capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        sale = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=racine,
                              capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        return {"commit": sha, "modifications_non_commitees": bool(sale)}
    except (OSError, subprocess.SubprocessError):
        return None


def millesime_donnees(dossier_donnees: Path) -> str:
    """Data vintage for the covers, read from the processed accounts (years and provenance)."""
    try:
        import pyarrow.parquet as pq  # third-party, lazy: only two columns of two tables are read

        cat = Catalogue(dossier_donnees)
        parties = []
        provenances: set[str] = set()
        for table, libelle in (("finances_communes", "comptes des communes"),
                               ("finances_agglo", "comptes de l'agglomération")):
            chemin = cat.table(table)
            if not chemin.exists():
                continue
            t = pq.read_table(chemin, columns=["an", "provenance"]).to_pandas()
            if len(t):
                parties.append(f"{libelle} {int(t['an'].min())}–{int(t['an'].max())}")
                provenances |= set(t["provenance"].dropna().astype(str))
        if not parties:
            return "données traitées absentes (lancer « orleans-gov donnees »)"
        texte = "DGFiP, " + " ; ".join(parties)
        if "exemple" in provenances:
            texte += " (données d'exemple" + (" et réelles)" if "réel" in provenances else ")")
        return texte
    except Exception as exc:  # noqa: BLE001 - the cover must not stop the run
        return f"millésime non déterminé ({type(exc).__name__})"


def ecrire_manifeste(dossier: Path, resultats: list[Resultat], contexte: dict[str, Any], dossier_donnees: Path,
                     duree_totale: float, options: dict[str, Any], communes: Any = None) -> Path:
    """``manifest.json`` in the run folder (``communes``: the run's
    :class:`~orleans_gov.rendu.entrees.EntreesCommunes`, whose data fingerprints are reused)."""
    manifeste = {
        "mission": MISSION,
        "horodatage": contexte["horodatage"],
        "date_livrables": str(contexte.get("date_iso", "")),
        "duree_totale_s": round(duree_totale, 3),
        "options": options,
        "dossier_donnees": str(dossier_donnees),
        "millesime": contexte["millesime"],
        "git": commit_git(),
        "versions": versions_paquets(),
        "donnees_sha256": communes.donnees if communes else empreintes(dossier_donnees),
        "entrees_communes": {"code_orleans_gov": communes.code, "config": communes.config} if communes else None,
        "carnets_sha256": {str(Path(n).name): empreinte_fichier(n)
                           for n in sorted({r.notebook for r in resultats}) if Path(n).exists()},
        "livrables": [dataclasses.asdict(r) for r in resultats],
    }
    return ecrire_livrable(dossier / "manifest.json",
                           json.dumps(manifeste, ensure_ascii=False, indent=2, default=str) + "\n")
