"""Is ``data/processed`` up to date? The inputs of the last full build, so that ``orleans-gov donnees`` (and
``make data``, ``make reports``) rebuilds nothing when nothing changed (issue 16, point 1).

A full build records in ``processed/.construction.json`` (hidden: not an input of any deliverable, see
:mod:`orleans_gov.rendu.entrees`) the sha256 of everything the build reads and of everything it wrote:

- ``raw``: every file under the data folder's ``raw/`` (real files, sample, imported workbooks), path and bytes;
- ``config``: the project configuration the build reads (``config/rapprochement/``, mapping of published figures);
- ``code``: every file of the packages the build may import — ``base``, ``sources``, ``echantillon``,
  ``construction`` (the layers at and below construction, enforced by ``lint-imports``; parameters and vocabulary
  YAML included) and the package's ``__init__.py``;
- ``versions``: Python and the libraries that shape the Parquet bytes or the readings (pandas, numpy, pyarrow,
  geopandas, shapely, openpyxl, pyyaml, duckdb);
- ``sorties``: the sha256 of each processed table written.

The processed folder is up to date when the recorded inputs equal the current ones **and** every table of the
catalogue exists with the recorded bytes (a table deleted or edited by hand triggers a rebuild). Anything
unreadable in the state file counts as « not up to date »: the cost of a doubt is one rebuild, never stale tables.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import orleans_gov
from orleans_gov.base.catalogue import RACINE_PROJET, Catalogue
from orleans_gov.base.fichiers import empreinte_fichier, empreinte_fichiers, fichiers_visibles, version_paquet
from orleans_gov.construction.lecture import NOMS_TABLES

__all__ = ["ETAT", "Etat", "PAQUETS_CONSTRUCTION", "VERSIONS_CONSTRUCTION", "effacer_etat", "enregistrer_etat",
           "entrees_construction", "etat_construction"]

ETAT = ".construction.json"
"""Name of the state file in ``processed/``."""
PAQUETS_CONSTRUCTION = ("base", "sources", "echantillon", "construction")
"""Sub-packages whose files are inputs of the build (construction may import nothing above it)."""
VERSIONS_CONSTRUCTION = ("pandas", "numpy", "pyarrow", "geopandas", "shapely", "openpyxl", "pyyaml", "duckdb")
DOSSIER_CODE = Path(orleans_gov.__file__).resolve().parent
DOSSIER_CONFIG_CONSTRUCTION = RACINE_PROJET / "config" / "rapprochement"


def entrees_construction(dossier=None) -> dict[str, object]:
    """The fingerprints of everything a full build of ``dossier`` reads (see the module docstring)."""
    cat = Catalogue.depuis(dossier)
    code = [DOSSIER_CODE / "__init__.py"] + [p for sous in PAQUETS_CONSTRUCTION
                                             for p in fichiers_visibles(DOSSIER_CODE / sous)]
    return {
        "raw": empreinte_fichiers(fichiers_visibles(cat.raw), cat.raw),
        "config": empreinte_fichiers(fichiers_visibles(DOSSIER_CONFIG_CONSTRUCTION), DOSSIER_CONFIG_CONSTRUCTION),
        "code": empreinte_fichiers(code, DOSSIER_CODE),
        "versions": {"python": sys.version.split()[0], **{p: version_paquet(p) for p in VERSIONS_CONSTRUCTION}},
    }


@dataclass(frozen=True)
class Etat:
    """Whether ``processed/`` is up to date (``a_jour``) and, if not, why (``raisons``, in French)."""

    a_jour: bool
    raisons: tuple[str, ...]
    entrees: dict[str, object]


_LIBELLES = {"raw": "données brutes (data/raw) modifiées", "config": "configuration (config/rapprochement) modifiée",
             "code": "code de construction modifié", "versions": "versions des bibliothèques modifiées"}


def etat_construction(dossier=None) -> Etat:
    """Compare the current inputs and tables with the state recorded by the last full build of ``dossier``."""
    cat = Catalogue.depuis(dossier)
    entrees = entrees_construction(dossier)
    chemin = cat.processed / ETAT
    try:
        precedent = json.loads(chemin.read_text(encoding="utf-8"))
        avant, sorties = precedent["entrees"], precedent["sorties"]
        if not isinstance(avant, dict) or not isinstance(sorties, dict):
            raise TypeError
    except FileNotFoundError:
        return Etat(False, ("aucune construction complète enregistrée",), entrees)
    except (OSError, ValueError, KeyError, TypeError):
        return Etat(False, (f"état de la dernière construction illisible ({chemin.name})",), entrees)
    raisons = [_LIBELLES[k] for k in _LIBELLES if avant.get(k) != entrees[k]]
    for nom in NOMS_TABLES:
        table = cat.table(nom)
        if not table.exists():
            raisons.append(f"table {nom} absente")
        elif sorties.get(nom) != empreinte_fichier(table):
            raisons.append(f"table {nom} modifiée depuis la construction")
    return Etat(not raisons, tuple(raisons), entrees)


def enregistrer_etat(dossier, entrees: dict[str, object]) -> Path:
    """Record ``entrees`` (computed **before** the build) and the sha256 of every table now in ``processed/``.

    Written atomically; a table missing after the build is recorded as absent (so the next check rebuilds)."""
    cat = Catalogue.depuis(dossier)
    sorties = {nom: empreinte_fichier(cat.table(nom)) for nom in NOMS_TABLES if cat.table(nom).exists()}
    chemin = cat.processed / ETAT
    tmp = chemin.with_name(chemin.name + ".tmp")
    tmp.write_text(json.dumps({"entrees": entrees, "sorties": sorties}, ensure_ascii=False, indent=1,
                              sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, chemin)
    return chemin


def effacer_etat(dossier=None) -> None:
    """Forget the last full build (after a partial one, or when a build fails half-way)."""
    (Catalogue.depuis(dossier).processed / ETAT).unlink(missing_ok=True)
