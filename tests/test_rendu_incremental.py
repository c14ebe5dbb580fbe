"""Incremental rendering (issue 16): inputs fingerprinted, unchanged deliverables copied, changed ones re-rendered."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import orleans_gov.rendu as rendu
from orleans_gov.base.fichiers import ecrire_parquet
from orleans_gov.rendu import carnets, entrees
from orleans_gov.rendu.taches import MODE_LIVRABLE, NOTEBOOK_FICHE
from test_rendu_outils import carnet, dossier_donnees, ecrire_police, livrables

ENTITES = ["45234", "45043", "244500468"]
FICHE = {e: n for e, n in (("45234", "10_fiche_commune_45234_orleans"), ("45043", "10_fiche_commune_45043_bou"),
                           ("244500468", "10_fiche_commune_244500468_agglo-orleans-val-de-loire"))}
JOUR = dt.datetime(2026, 12, 3, 10, 0, 0)


@pytest.fixture
def projet(tmp_path: Path) -> tuple[Path, Path]:
    d = tmp_path / "notebooks"
    d.mkdir()
    carnet(d / "01_analyse.ipynb", ["print('analyse', annee)"], "annee = 2014\ndossier_donnees = None",
           titre="# Analyse")
    carnet(d / f"{NOTEBOOK_FICHE}.ipynb", ["print('fiche', entite)"], "entite = '45234'\ndossier_donnees = None",
           titre="# Fiche")
    return d, dossier_donnees(tmp_path)


def _rendre(d: Path, donnees: Path, sortie: Path, **kw):
    taches = rendu.lister_taches(d, entites=ENTITES, dossier_donnees=donnees)
    return rendu.rendre(taches, sortie=sortie, jobs=2, barre=False, dossier_donnees=donnees, maintenant=JOUR, **kw)


def _rendus(resultats) -> set[str]:
    return {r.nom for r in resultats if r.reutilise_de is None}


# ---------------------------------------------------------------------------------------------------------------
# fingerprints (no rendering)
# ---------------------------------------------------------------------------------------------------------------
def test_empreinte_carnet_ignore_sorties_et_ids(tmp_path: Path):
    chemin = carnet(tmp_path / "01_a.ipynb", ["print(1)"])
    nb = nbformat.read(chemin, as_version=4)
    avant = carnets.empreinte_carnet(nb)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells[2].execution_count = 7
    nb.cells[2].id = "autre-id"
    nb.cells[2].metadata["execution"] = {"iopub.status.idle": "2026-12-03T10:00:00Z"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    assert carnets.empreinte_carnet(nb) == avant
    nb.cells[2].source = "print(2)"
    assert carnets.empreinte_carnet(nb) != avant
    nb.cells[2].source = "print(1)"
    nb.cells[2].metadata["tags"] = ["masquer"]  # a tag changes the page
    assert carnets.empreinte_carnet(nb) != avant


def test_empreintes_lignes_par_entite(tmp_path: Path):
    d = dossier_donnees(tmp_path)
    chemin = d / "processed" / "police_municipale.parquet"
    avant = entrees.empreintes_lignes(chemin, ENTITES)
    ecrire_police(d, {"45234": 10, "45043": 3, "244500468": 5})      # Bou changes
    apres = entrees.empreintes_lignes(chemin, ENTITES)
    assert apres["45043"] != avant["45043"]
    assert apres["45234"] == avant["45234"] and apres["244500468"] == avant["244500468"]
    # a row of no entity of the perimeter is part of every entity's rows
    df = pd.read_parquet(chemin)
    df.loc[df["entite"].isna(), "agents_police"] = 99
    df.to_parquet(chemin, index=False)
    assert all(v != apres[k] for k, v in entrees.empreintes_lignes(chemin, ENTITES).items())
    # SIREN of a commune = the commune
    pd.DataFrame({"siren": ["214502346", "214500431"], "x": [1, 2]}).to_parquet(chemin, index=False)
    e1 = entrees.empreintes_lignes(chemin, ["45234", "45043"])
    pd.DataFrame({"siren": ["214502346", "214500431"], "x": [1, 3]}).to_parquet(chemin, index=False)
    e2 = entrees.empreintes_lignes(chemin, ["45234", "45043"])
    assert e1["45234"] == e2["45234"] and e1["45043"] != e2["45043"]
    # no entity column: None (the caller hashes the whole file)
    assert entrees.empreintes_lignes(d / "processed" / "autre.parquet", ENTITES) is None


def test_entrees_par_type_de_livrable(projet):
    d, donnees = projet
    taches = rendu.lister_taches(d, entites=ENTITES, dossier_donnees=donnees)
    communes = entrees.calculer_entrees_communes(donnees, taches)
    par_nom = {t.nom: entrees.entrees_tache(t, communes, "python3") for t in taches}
    analyse = par_nom["01_analyse"]["donnees"]
    assert set(analyse) == {"raw/reel/a.csv", "processed/autre.parquet", "processed/police_municipale.parquet"}
    fiche = par_nom[FICHE["45043"]]["donnees"]
    assert set(fiche) == {"processed/autre.parquet", "processed/police_municipale.parquet#45043"}
    assert par_nom[FICHE["45043"]]["code"] == par_nom["01_analyse"]["code"]
    assert len({e["empreinte"] for e in par_nom.values()}) == len(par_nom)


# ---------------------------------------------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_rien_ne_change_puis_une_commune_change(projet, tmp_path: Path):
    d, donnees = projet
    sortie = tmp_path / "reports"
    premier, r1 = _rendre(d, donnees, sortie)
    assert all(r.reussi for r in r1) and _rendus(r1) == {"01_analyse", *FICHE.values()}
    assert {r.raison for r in r1} == {"premier rendu"}

    # nothing changed: nothing rendered, every deliverable copied, marked with the run it came from
    deuxieme, r2 = _rendre(d, donnees, sortie)
    assert _rendus(r2) == set()
    assert {r.reutilise_de for r in r2} == {premier.name} and {r.rendu_dans for r in r2} == {premier.name}
    for r in r2:
        for f in r.fichiers:
            assert (deuxieme / f).read_bytes() == (premier / f).read_bytes()
            for run in (premier, deuxieme):  # readable by others, as an ordinary new file (not mkstemp's 0600)
                assert (run / f).stat().st_mode & 0o777 == MODE_LIVRABLE
    assert (premier / "index.html").stat().st_mode & 0o777 == MODE_LIVRABLE
    li = livrables(deuxieme)
    assert all(x["reutilise_de"] == premier.name for x in li.values())
    index = (deuxieme / "index.html").read_text(encoding="utf-8")
    assert index.count("réutilisé de " + premier.name) == len(r2)

    # Bou's police rows change: the analysis notebook (all data) and Bou's fiche only
    ecrire_police(donnees, {"45234": 10, "45043": 3, "244500468": 5})
    troisieme, r3 = _rendre(d, donnees, sortie)
    assert _rendus(r3) == {"01_analyse", FICHE["45043"]}
    raisons = {r.nom: r.raison for r in r3 if r.reutilise_de is None}
    assert "processed/police_municipale.parquet#45043" in raisons[FICHE["45043"]]
    assert "processed/police_municipale.parquet" in raisons["01_analyse"]
    reutilises = {r.nom: r for r in r3 if r.reutilise_de}
    # copied from the newest run where they were, produced in the first one
    assert {r.reutilise_de for r in reutilises.values()} == {deuxieme.name}
    assert {r.rendu_dans for r in reutilises.values()} == {premier.name}

    # a shared table changes: every deliverable
    pd.DataFrame({"an": [2013], "valeur": [2.0]}).to_parquet(donnees / "processed" / "autre.parquet", index=False)
    _quatrieme, r4 = _rendre(d, donnees, sortie)
    assert _rendus(r4) == {"01_analyse", *FICHE.values()}

    # the fiche notebook changes: its 3 deliverables, not the analysis notebook
    nb = nbformat.read(d / f"{NOTEBOOK_FICHE}.ipynb", as_version=4)
    nb.cells[2].source = "print('fiche :', entite)"
    nbformat.write(nb, d / f"{NOTEBOOK_FICHE}.ipynb")
    _cinquieme, r5 = _rendre(d, donnees, sortie)
    assert _rendus(r5) == set(FICHE.values())
    assert {r.raison for r in r5 if r.reutilise_de is None} == {"carnet modifié"}

    # --tout: everything
    _sixieme, r6 = _rendre(d, donnees, sortie, tout=True)
    assert _rendus(r6) == {"01_analyse", *FICHE.values()} and {r.raison for r in r6} == {"--tout"}


@pytest.mark.slow
def test_rendu_precedent_abime(projet, tmp_path: Path):
    d, donnees = projet
    sortie = tmp_path / "reports"
    premier, _r1 = _rendre(d, donnees, sortie)
    # a file edited after the run is not trusted: that deliverable is rendered again
    page = premier / f"{FICHE['45234']}.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- modifié -->", encoding="utf-8")
    (premier / f"{FICHE['45043']}.ipynb").unlink()
    deuxieme, r2 = _rendre(d, donnees, sortie)
    assert _rendus(r2) == {FICHE["45234"], FICHE["45043"]}
    assert not (deuxieme / f".{FICHE['45234']}.html.copie").exists()
    assert {r.raison for r in r2 if r.reutilise_de is None} == {"fichiers du rendu précédent absents ou modifiés"}
    # an unreadable manifest: that run is ignored, the older one still serves
    (deuxieme / "manifest.json").write_text("{ pas du json", encoding="utf-8")
    _troisieme, r3 = _rendre(d, donnees, sortie)
    assert _rendus(r3) == {FICHE["45234"], FICHE["45043"]}  # the first run's copies are the damaged ones
    for run in sortie.iterdir():
        if run.is_dir() and not run.is_symlink():
            (run / "manifest.json").write_text("[]", encoding="utf-8")
    _quatrieme, r4 = _rendre(d, donnees, sortie)
    assert _rendus(r4) == {"01_analyse", *FICHE.values()}


@pytest.mark.slow
def test_tables_entite_seule_de_la_fiche_livree(donnees_construites: Path, tmp_path: Path):
    """The claim of TABLES_ENTITE_SEULE on the shipped fiche and data: another entity's rows in those tables do not
    change the fiche (byte-identical HTML), while its own rows are part of its inputs."""
    donnees = tmp_path / "data"
    shutil.copytree(donnees_construites / "processed", donnees / "processed",
                    ignore=shutil.ignore_patterns(".*"))
    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    taches = rendu.lister_taches(notebooks, notebooks=[NOTEBOOK_FICHE], entites=["45043"], dossier_donnees=donnees)
    d1, (r1,) = rendu.rendre(taches, sortie=tmp_path / "r", jobs=1, barre=False, dossier_donnees=donnees,
                             maintenant=JOUR)
    assert r1.reussi, r1.erreur()
    modifiees = []
    for table in entrees.TABLES_ENTITE_SEULE[NOTEBOOK_FICHE]:
        chemin = donnees / "processed" / f"{table}.parquet"
        if not chemin.exists():
            continue
        df = pd.read_parquet(chemin)
        colonne = next(c for c in entrees.COLONNES_ENTITE if c in df.columns)
        autres = df[colonne].astype(str).isin(["45234", "214502346", "244500468"])
        booleens = [c for c in df.columns if pd.api.types.is_bool_dtype(df[c])]
        numeriques = [c for c in df.select_dtypes("number").columns if c != "an" and c not in booleens]
        assert autres.any() and (numeriques or booleens), table
        if numeriques:
            df.loc[autres, numeriques[0]] = df.loc[autres, numeriques[0]] * 3 + 1
        else:
            df.loc[autres, booleens[0]] = ~df.loc[autres, booleens[0]]
        ecrire_parquet(df, chemin)  # the writer of `make data` (same schema, no pandas metadata)
        modifiees.append(table)
    assert modifiees
    d2, (r2,) = rendu.rendre(taches, sortie=tmp_path / "r", jobs=1, barre=False, dossier_donnees=donnees,
                             maintenant=JOUR)
    assert r2.reutilise_de == d1.name, r2.raison  # inputs unchanged for Bou's fiche…
    d3, (r3,) = rendu.rendre(taches, sortie=tmp_path / "r", jobs=1, barre=False, dossier_donnees=donnees,
                             maintenant=JOUR, tout=True)
    assert r3.reussi
    # …and its page, rendered again, is indeed the same
    assert (d3 / r3.html).read_bytes() == (d1 / r1.html).read_bytes()
    manifeste = json.loads((d3 / "manifest.json").read_text(encoding="utf-8"))
    assert any(k.startswith("processed/police_municipale.parquet#45043")
               for k in manifeste["livrables"][0]["entrees"]["donnees"])
