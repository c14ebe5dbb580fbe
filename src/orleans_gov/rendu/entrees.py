"""The inputs of each deliverable, fingerprinted: what decides whether a deliverable is re-rendered (issue 16).

A deliverable is reused (its previous outputs copied, nothing executed) when the sha256 of its inputs is the one
recorded for it in a previous run's manifest. Its inputs are:

- ``carnet``: the notebook as rendered — :func:`orleans_gov.rendu.carnets.empreinte_carnet` (cells, sources,
  tags; not outputs, execution counts nor ids);
- ``parametres``: its parameters (papermill), and ``noyau``: the kernel name;
- ``fichiers_parametres``: the bytes of every file a parameter names (e.g. the scenario files of notebook 03);
- ``code``: **one sha256 over every source file of the ``orleans_gov`` package** (``.py``, YAML, templates, CSS…).
  Any code change re-renders every deliverable: simple and safe — finer code dependencies (which module a
  notebook reaches) would have to follow every import, and a missed edge would leave a stale deliverable;
- ``versions``: the versions of Python and of the key packages (:data:`PAQUETS_MANIFESTE`);
- ``config``: every file under the project's ``config/`` (the shipped scenarios read by notebook 03 and by the
  fiches' scenario section);
- ``donnees``: the data it reads, with the granularity below.

Data dependencies, by kind of deliverable (conservative; the tests check the claims):

- **analysis notebooks** (``0*.ipynb``, and any other notebook): every file under the data folder's ``raw/`` and
  ``processed/`` (sha256 of each file);
- **the fiche** (:data:`~orleans_gov.rendu.taches.NOTEBOOK_FICHE`, parameter ``entite``): every file under
  ``processed/``, whole, except the tables of :data:`TABLES_ENTITE_SEULE`, for which only the rows that do not
  belong to *another* entity of the perimeter count (the fiche's own rows, plus rows of no entity of the perimeter),
  plus the raw competence CSV (read by the scenario schema when ``processed/competences.parquet`` is absent). Why
  so few per-entity tables: the fiche of a commune compares it with the 22 communes (medians, minimum, maximum,
  rank and share of the population, « présente aussi dans n entités »), draws the map of all communes and shows
  the scenario effects computed by the engine on the whole bloc — from ``finances_communes``, ``finances_agglo``,
  ``flux_agglo_communes``, ``depenses_fonction``, ``effectifs``, ``fonctions_support`` — so another commune's
  rows in ``territoire``, ``effectifs_totaux``, ``perimetre``, ``moyennes_strates`` and in the engine's tables can
  change the fiche. The tables listed in :data:`TABLES_ENTITE_SEULE` are those the fiche reads only for its own
  entity (``police_municipale``) or does not read at all today (``competences_exercees``, ``populations`` —
  through ``territoire``, which is whole —, ``ofgl_agglo``). raw/ files are not inputs of the fiche: it reads
  ``processed/`` only, which ``make reports`` rebuilds first.

Whoever makes the fiche read another entity's rows of a table of :data:`TABLES_ENTITE_SEULE` must remove it from
the list (``tests/test_rendu_incremental.py`` checks the list on the shipped fiche and data).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import orleans_gov
from orleans_gov.base.catalogue import RACINE_PROJET, Catalogue
from orleans_gov.base.fichiers import empreinte_fichier, fichiers_visibles, version_paquet
from orleans_gov.base.territoire import COMMUNES, SIREN_AGGLO
from orleans_gov.rendu.carnets import empreinte_carnet, lire_carnet
from orleans_gov.rendu.taches import NOTEBOOK_FICHE, Tache

TABLES_ENTITE_SEULE: dict[str, tuple[str, ...]] = {
    NOTEBOOK_FICHE: ("police_municipale", "competences_exercees", "populations", "ofgl_agglo"),
}
COLONNES_ENTITE = ("entite", "code_insee", "siren")
SOUS_DOSSIERS_ANALYSE = ("raw", "processed")
DOSSIER_CONFIG = RACINE_PROJET / "config"
DOSSIER_CODE = Path(orleans_gov.__file__).resolve().parent
LIBELLES = {"carnet": "carnet modifié", "parametres": "paramètres modifiés", "noyau": "noyau modifié",
            "code": "code d'orleans_gov modifié", "versions": "versions des paquets modifiées"}
# entity codes of the perimeter: INSEE code and SIREN of each commune, SIREN of the agglomeration
_CODES = {**{c: c for c in COMMUNES}, **{s: c for c, (s, _n) in COMMUNES.items()}, SIREN_AGGLO: SIREN_AGGLO}


def empreintes_dossier(dossier: Path, prefixe: str = "") -> dict[str, str]:
    """``prefixe + relative path`` → sha256 of every file under ``dossier``."""
    return {prefixe + p.relative_to(dossier).as_posix(): empreinte_fichier(p) for p in fichiers_visibles(dossier)}


PAQUETS_MANIFESTE = ("orleans_gov", "pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "geopandas", "shapely",
                     "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "jupyter_client", "pyyaml")


def versions_paquets() -> dict[str, str]:
    return {"python": sys.version.split()[0], **{p: version_paquet(p) for p in PAQUETS_MANIFESTE}}


def empreintes(dossier_donnees: Path) -> dict[str, str]:
    """sha256 of every file under the data folder's ``raw/`` and ``processed/`` (``"raw/…"`` → hex digest),
    sorted; hidden files (locks) excluded."""
    resultat: dict[str, str] = {}
    for sous in SOUS_DOSSIERS_ANALYSE:
        resultat.update(empreintes_dossier(Path(dossier_donnees) / sous, f"{sous}/"))
    return resultat


def empreinte_json(objet: Any) -> str:
    """sha256 of the canonical JSON of ``objet`` (sorted keys)."""
    texte = json.dumps(objet, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def _proprietaires(df) -> list[str | None]:
    """Entity of the perimeter each row belongs to (None: no entity, or several)."""
    colonnes = [c for c in COLONNES_ENTITE if c in df.columns]
    resultat: list[str | None] = []
    for valeurs in zip(*(df[c].tolist() for c in colonnes)):
        codes = {_CODES.get(str(v).strip()) for v in valeurs if v is not None and str(v).strip() in _CODES}
        resultat.append(codes.pop() if len(codes) == 1 else None)
    return resultat


def empreintes_lignes(chemin: Path, entites: list[str]) -> dict[str, str] | None:
    """For each entity, sha256 of the rows of the Parquet table ``chemin`` that do not belong to another entity of
    the perimeter (Arrow IPC bytes of those rows, one chunk, schema included). None when the table has no entity
    column or cannot be read that way (the caller then uses the whole file)."""
    import pyarrow as pa  # third-party, lazy: only when a fiche is rendered
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(chemin)
        colonnes = [c for c in COLONNES_ENTITE if c in table.column_names]
        if not colonnes:
            return None
        proprietaires = _proprietaires(table.select(colonnes).to_pandas())
        resultat = {}
        for e in entites:
            masque = pa.array([p is None or p == e for p in proprietaires], type=pa.bool_())
            sous = table.filter(masque).combine_chunks()
            puits = pa.BufferOutputStream()
            with pa.ipc.new_stream(puits, sous.schema) as flux:
                flux.write_table(sous)
            resultat[e] = hashlib.sha256(puits.getvalue().to_pybytes()).hexdigest()
        return resultat
    except Exception:  # noqa: BLE001 - unreadable as a table: fall back to the whole file (conservative)
        return None


@dataclasses.dataclass
class EntreesCommunes:
    """What every deliverable's inputs are made of, computed once per run."""

    code: str
    versions: dict[str, str]
    config: dict[str, str]
    donnees: dict[str, str]                       # "raw/…", "processed/…" → sha256 (also in the manifest)
    lignes: dict[str, dict[str, str] | None]      # "processed/<table>.parquet" → entity → sha256 of its rows
    competences_brut: dict[str, str]
    carnets: dict[str, str]                       # notebook path → empreinte_carnet (read once per run)


def calculer_entrees_communes(dossier_donnees: Path, taches: list[Tache]) -> EntreesCommunes:
    """Fingerprints shared by the deliverables of a run (package code, versions, config, data files, rows)."""
    cat = Catalogue(Path(dossier_donnees))
    donnees = empreintes(cat.racine)
    code = empreinte_json(empreintes_dossier(DOSSIER_CODE))
    entites_par_table: dict[str, set[str]] = {}
    for t in taches:
        for table in TABLES_ENTITE_SEULE.get(Path(t.notebook).stem, ()) if t.entite and not t.invalide else ():
            entites_par_table.setdefault(table, set()).add(t.entite)
    lignes = {}
    for table, entites in sorted(entites_par_table.items()):
        chemin = cat.table(table)
        if chemin.exists():
            lignes[f"processed/{chemin.name}"] = empreintes_lignes(chemin, sorted(entites))
    brut = cat.competences
    competences = {brut.relative_to(cat.racine).as_posix(): empreinte_fichier(brut)} if brut.exists() else {}
    carnets = {n: empreinte_carnet(lire_carnet(n)) for n in sorted({t.notebook for t in taches if not t.invalide})}
    return EntreesCommunes(code=code, versions=versions_paquets(), config=empreintes_dossier(DOSSIER_CONFIG),
                           donnees=donnees, lignes=lignes, competences_brut=competences, carnets=carnets)


def _fichiers_parametres(tache: Tache) -> dict[str, str]:
    """sha256 of every existing file named by a parameter (a path, or a list of paths)."""
    resultat = {}
    base = Path(tache.notebook).parent
    for nom, valeur in sorted(tache.parametres.items()):
        for v in (valeur if isinstance(valeur, (list, tuple)) else [valeur]):
            if not isinstance(v, (str, os.PathLike)) or not str(v).strip():
                continue
            chemin = Path(v) if Path(v).is_absolute() else base / v
            if chemin.is_file():
                resultat[f"{nom}:{v}"] = empreinte_fichier(chemin)
    return resultat


def donnees_tache(tache: Tache, communes: EntreesCommunes) -> dict[str, str]:
    """The data inputs of ``tache`` (see the module docstring)."""
    tables_entite = TABLES_ENTITE_SEULE.get(Path(tache.notebook).stem, ()) if tache.entite else ()
    if not tables_entite:
        return dict(communes.donnees)
    resultat = {k: v for k, v in communes.donnees.items() if k.startswith("processed/")}
    for table in tables_entite:
        cle = f"processed/{table}.parquet"
        par_entite = communes.lignes.get(cle)
        if cle in resultat and par_entite is not None and tache.entite in par_entite:
            del resultat[cle]
            resultat[f"{cle}#{tache.entite}"] = par_entite[tache.entite]  # its rows + rows of no entity
    resultat.update(communes.competences_brut)
    return resultat


def entrees_tache(tache: Tache, communes: EntreesCommunes, kernel_name: str) -> dict[str, Any]:
    """The inputs of one deliverable (component → fingerprint or value); ``empreinte`` is their sha256."""
    entrees = {
        "carnet": communes.carnets.get(tache.notebook) or empreinte_carnet(lire_carnet(tache.notebook)),
        "parametres": dict(tache.parametres),
        "noyau": kernel_name,
        "fichiers_parametres": _fichiers_parametres(tache),
        "code": communes.code,
        "versions": empreinte_json(communes.versions),
        "config": dict(communes.config),
        "donnees": donnees_tache(tache, communes),
    }
    entrees["empreinte"] = empreinte_json({k: v for k, v in entrees.items() if k != "empreinte"})
    return entrees


def differences(avant: dict[str, Any] | None, apres: dict[str, Any]) -> str:
    """Why a deliverable is rendered again, in French (« données modifiées : processed/effectifs.parquet »)."""
    if not avant:
        return "premier rendu"
    raisons = [LIBELLES[k] for k in LIBELLES if avant.get(k) != apres.get(k)]
    for cle, libelle in (("config", "configuration"), ("fichiers_parametres", "fichiers en paramètre"),
                         ("donnees", "données")):
        a, b = avant.get(cle) or {}, apres.get(cle) or {}
        changes = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if changes:
            plus = f" (+{len(changes) - 3} autres)" if len(changes) > 3 else ""
            raisons.append(f"{libelle} modifiées : {', '.join(changes[:3])}{plus}")
    return " ; ".join(raisons) or "entrées modifiées"


__all__ = ["TABLES_ENTITE_SEULE", "EntreesCommunes", "calculer_entrees_communes", "differences",
           "donnees_tache", "empreintes_lignes", "entrees_tache"]
