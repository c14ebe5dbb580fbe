"""The processed tables' contracts (checked at build time, documented in docs/TABLES.md) and the construction API."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.construction import CONTRATS, TABLES, charger, construire, ecrire_table
from orleans_gov.construction.contrat import ENTIER, REEL, TEXTE, Bloc, Colonne, Contrat, ErreurTable, verifier
from orleans_gov.sources.classeurs.importees import CLES, TABLES as TABLES_IMPORTEES

RACINE = Path(__file__).resolve().parents[1]
DOC = RACINE / "docs" / "TABLES.md"


def _doc_tables() -> dict[str, list[list[str]]]:
    """Each ``### `nom``` section of docs/TABLES.md → the rows (cells) of its column table."""
    sections: dict[str, list[list[str]]] = {}
    courant = None
    for ligne in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^### `(\w+)`", ligne)
        if m:
            courant = sections.setdefault(m.group(1), [])
        elif ligne.startswith("## "):
            courant = None
        elif courant is not None and ligne.startswith("|") and not set(ligne) <= set("|- "):
            cellules = [c.strip() for c in ligne.strip().strip("|").split("|")]
            if cellules[0] != "colonne":
                courant.append(cellules)
    return sections


def test_tables_md_documente_exactement_chaque_contrat():
    """Every table and every column of the contract is in docs/TABLES.md, in order, with its type, key, not-null
    flag and (for provenance) its allowed values; and the page documents no other table."""
    doc = _doc_tables()
    assert set(doc) == set(CONTRATS)
    for nom, contrat in CONTRATS.items():
        lignes = doc[nom]
        attendu = [f"`{c.nom}`" for c in contrat.debut] + (["…"] if contrat.bloc else []) \
            + [f"`{c.nom}`" for c in contrat.fin]
        assert [l[0] for l in lignes] == attendu, nom
        par_nom = {l[0]: l for l in lignes}
        for col in contrat.colonnes:
            _, famille, cle, non_nul, contenu = par_nom[f"`{col.nom}`"]
            assert famille == col.famille, (nom, col.nom)
            assert (cle == "clé") == (col.nom in contrat.cle), (nom, col.nom)
            assert (non_nul == "oui") == (col.non_nulle or col.nom in contrat.cle), (nom, col.nom)
            if col.nom == "provenance":
                assert all(f"`{v}`" in contenu for v in col.valeurs), (nom, contenu)
        if contrat.bloc:
            assert par_nom["…"][1] == " / ".join(contrat.bloc.familles), nom


def test_contrats_des_tables_de_collecte_suivent_le_format_d_import():
    for nom, colonnes in TABLES_IMPORTEES.items():
        assert tuple(c.nom for c in CONTRATS[nom].colonnes) == colonnes
        assert CONTRATS[nom].cle == CLES[nom]


def test_tables_construites_respectent_leur_contrat(donnees_construites):
    """The written tables, read back, still satisfy their contract (the build checked them before writing)."""
    for nom in TABLES:
        verifier(charger(nom, donnees_construites), CONTRATS[nom])


# ---------------------------------------------------------------------------------------------------------------
CONTRAT = Contrat("essai", debut=(Colonne("entite", TEXTE), Colonne("an", ENTIER)),
                  bloc=Bloc("montants", (REEL,), noms=frozenset({"prod", "charge"})),
                  fin=(Colonne("provenance", TEXTE, non_nulle=True, valeurs=("réel", "exemple")),),
                  cle=("entite", "an"))


def _table(**modifs) -> pd.DataFrame:
    df = pd.DataFrame({"entite": pd.array(["45234", "45302", "45043"], dtype="string"), "an": [2013, 2013, 2014],
                       "prod": [1.0, 2.0, 3.0], "charge": [0.5, 1.5, float("nan")],
                       "provenance": pd.array(["réel", "exemple", "exemple"], dtype="string")})
    for k, v in modifs.items():
        df[k] = v
    return df


def test_contrat_respecte():
    df = _table()
    assert verifier(df, CONTRAT) is df
    verifier(df.drop(columns="charge"), CONTRAT)  # a block may hold fewer columns


@pytest.mark.parametrize("df, colonne, ligne, motif", [
    (_table()[["an", "entite", "prod", "charge", "provenance"]], "an", None, "colonne n° 1 attendue « entite »"),
    (_table()[["entite", "an", "prod", "provenance", "charge"]], "charge", None, "attendue « provenance »"),
    (_table(autre=[1.0, 2.0, 3.0])[["entite", "an", "prod", "autre", "provenance"]], "autre", None,
     "colonne inconnue dans le bloc"),
    (_table(an=[2013.0, 2013.0, 2014.0]), "an", None, "type float64 au lieu de : entier"),
    (_table(entite=["45234", 45302, "45043"]), "entite", 2, "valeur de type int"),
    (_table(entite=pd.array(["45234", None, "45043"], dtype="string")), "entite", 2, "valeur manquante"),
    (_table(provenance=pd.array(["réel", "exemple", "simulé"], dtype="string")), "provenance", 3, "valeur non admise"),
    (_table(entite=pd.array(["45234", "45302", "45302"], dtype="string"), an=[2013, 2014, 2014]), "entite", 2,
     "clé entite, an en double"),
])
def test_contrat_enfreint_nomme_table_colonne_et_ligne(df, colonne, ligne, motif):
    with pytest.raises(ErreurTable, match=motif) as exc:
        verifier(df, CONTRAT)
    e = exc.value
    assert isinstance(e, ErreurDonnees) and e.table == "essai" and e.colonne == colonne and e.ligne == ligne
    assert str(e).startswith("table « essai »")


def test_ecrire_table_refuse_une_table_hors_contrat(tmp_path):
    cat = Catalogue.depuis(tmp_path)
    flux = pd.DataFrame({"code_insee": pd.array(["45234"], dtype="string"), "an": [2013],
                         "attribution_compensation": [1.0], "dsc": [2.0],
                         "provenance": pd.array(["inventé"], dtype="string")})
    with pytest.raises(ErreurTable, match="flux_agglo_communes.*provenance"):
        ecrire_table("flux_agglo_communes", flux, tmp_path)
    assert not cat.table("flux_agglo_communes").exists()
    ecrire_table("flux_agglo_communes", flux.assign(provenance=pd.array(["réel"], dtype="string")), tmp_path)
    assert charger("flux_agglo_communes", tmp_path)["dsc"].tolist() == [2.0]


def test_charger_une_table_inconnue_echoue_sans_rien_construire(tmp_path):
    with pytest.raises(ErreurDonnees, match="table « inconnue » inconnue"):
        charger("inconnue", tmp_path)
    assert not any(tmp_path.iterdir())  # neither the sample nor any table was built


def test_construction_partielle(tmp_path):
    """``tables=``: only the families holding these tables run, only these tables are written, no sample."""
    shutil.copytree(RACINE / "data" / "raw" / "reel", tmp_path / "raw" / "reel")
    ecrits = construire(tmp_path, tables=["competences", "moyennes_strates"])
    assert set(ecrits) == {"competences", "moyennes_strates"}
    cat = Catalogue.depuis(tmp_path)
    ecrites = sorted(p.name for p in cat.processed.glob("*.parquet"))
    assert ecrites == ["competences.parquet", "moyennes_strates.parquet"]
    assert not cat.sample.exists()
    with pytest.raises(ErreurDonnees, match="inconnue"):
        construire(tmp_path, tables=["inconnue"])
