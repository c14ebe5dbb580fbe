"""The sample (byte-identical regeneration, accounting identities, calibration) and the processed build."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orleans_gov import charger, construire, read_comptes_communes, read_comptes_gfp
from orleans_gov.base.catalogue import Catalogue
from orleans_gov.echantillon.comptes import ANNEES, empreinte, generer

RACINE = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dossier_neuf(tmp_path_factory) -> Path:
    """A data folder holding only the real raw files: the sample is regenerated from scratch."""
    d = tmp_path_factory.mktemp("donnees")
    shutil.copytree(RACINE / "data" / "raw" / "reel", d / "raw" / "reel")
    generer(d)
    return d


def _hashes(dossier: Path) -> dict[str, str]:
    return {p.relative_to(dossier).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(dossier.rglob("*")) if p.is_file()}


def test_regeneration_octet_pour_octet_identique_au_depot(dossier_neuf, tmp_path):
    """The committed sample is exactly what the generator writes, and a second run writes the same bytes."""
    assert empreinte(dossier_neuf) == empreinte(RACINE / "data")
    shutil.copytree(RACINE / "data" / "raw" / "reel", tmp_path / "raw" / "reel")
    generer(tmp_path)
    assert _hashes(tmp_path / "raw" / "sample" / "dgfip") == _hashes(dossier_neuf / "raw" / "sample" / "dgfip")
    assert empreinte(tmp_path) == empreinte(dossier_neuf)


def _comptes(dossier):
    cat = Catalogue.depuis(dossier)
    return pd.concat([read_comptes_communes(p) for p in sorted(cat.dgfip_communes_sample.glob("*.csv"))],
                     ignore_index=True)


def test_echantillon_complet_etiquete_et_aux_formats_officiels(dossier_neuf):
    df = _comptes(dossier_neuf)  # the official reader validates f* and r* against the amounts
    assert len(df) == 22 * len(ANNEES) and set(df["an"]) == set(range(2008, 2024))
    assert (df["provenance"] == "exemple").all()
    cat = Catalogue.depuis(dossier_neuf)
    premiere = (cat.dgfip_communes_sample / "comptes-individuels-communes_2013_exemple.csv").read_text().splitlines()[0]
    assert len(premiere.split(";")) == 205 and premiere.endswith(";")
    premiere17 = (cat.dgfip_communes_sample / "comptes-individuels-communes_2017_exemple.csv").read_text().splitlines()[0]
    assert len(premiere17.split(";")) == 219


def test_identites_comptables(dossier_neuf):
    df = _comptes(dossier_neuf).sort_values(["code_insee", "an"])
    assert np.allclose(df["res1"], df["prod"] - df["charge"], atol=0.011)
    assert np.allclose(df["cafn"], df["caf"] - df["remb"], atol=0.011)
    # debt(t) = debt(t-1) + emp - remb
    for _, g in df.groupby("code_insee"):
        g = g.set_index("an")
        prev = g["dette"].shift(1)
        ok = (g["dette"] - (prev + g["emp"] - g["remb"])).abs().dropna()
        assert (ok < 0.05).all()
    assert (df["pop1"] > 0).all()


def test_moyennes_de_strate_reelles_reprises(dossier_neuf):
    """m* = the real DGFiP strata mean where one is published for the band and year."""
    df = _comptes(dossier_neuf)
    # real mean: communes de 10 000 à 20 000 hab, FPU, 2013, perso = ? (read from the real strata file)
    s = pd.read_csv(RACINE / "data/raw/reel/finance/dgfip-moyennes-de-strate_communes.csv")
    reel = s[(s.an == 2013) & (s.strate == "communes de 10 000 à 20 000 hab") & (s.code == "perso")]["valeur"].iloc[0]
    lignes = df[(df.an == 2013) & (df.nomsst1 == "communes de 10 000 à 20 000 hab")]
    assert len(lignes) >= 1
    assert (lignes["mperso"] == reel).all()


def test_flux_coherents_avec_revtot(dossier_neuf):
    cat = Catalogue.depuis(dossier_neuf)
    flux = pd.read_csv(cat.flux_sample, dtype={"code_insee": str})
    gfp = pd.concat([read_comptes_gfp(p) for p in sorted(cat.dgfip_gfp_sample.glob("*.csv"))]).set_index("an")
    somme = flux.groupby("an")[["attribution_compensation", "dsc"]].sum().sum(axis=1)
    assert np.allclose(-gfp.loc[somme.index, "revtot"], somme, atol=0.05)
    assert (flux["provenance"] == "exemple").all()


def test_depenses_par_fonction_somment_aux_totaux(dossier_neuf):
    cat = Catalogue.depuis(dossier_neuf)
    fo = pd.read_csv(cat.depenses_fonction_sample, dtype={"entite": str, "fonction": str})
    comptes = _comptes(dossier_neuf).set_index(["code_insee", "an"])
    tot = fo.groupby(["entite", "an", "section"])["montant"].sum().unstack()
    reelles = [("45234", 2013), ("45234", 2014)]  # Orléans: split of the REAL sheet's totals
    communes = tot.loc[(tot.index.get_level_values(0) != "244500468") & ~tot.index.isin(reelles)]
    assert np.allclose(communes["fonctionnement"], comptes.loc[communes.index, "charge"], atol=0.05)
    assert np.allclose(communes["investissement"], comptes.loc[communes.index, "depinv"], atol=0.05)
    # real Orléans 2013 sheet: charge 165 497 k€, depinv 78 029 k€
    assert tot.loc[("45234", 2013), "fonctionnement"] == pytest.approx(165497.0, abs=0.01)
    assert tot.loc[("45234", 2013), "investissement"] == pytest.approx(78029.0, abs=0.01)
    assert set(fo["fonction"]) == {str(i) for i in range(10)}


def test_construction_idempotente_et_reel_prioritaire(dossier_neuf):
    construire(dossier_neuf)
    cat = Catalogue.depuis(dossier_neuf)
    avant = _hashes(cat.processed)
    construire(dossier_neuf)
    assert _hashes(cat.processed) == avant
    fc = charger("finances_communes", dossier_neuf)
    orl = fc[fc.code_insee == "45234"].set_index("an")
    assert orl.loc[2013, "provenance"] == "réel" and orl.loc[2013, "caf"] == 30827.0
    assert orl.loc[2012, "provenance"] == "exemple"
    assert fc.duplicated(["code_insee", "an"]).sum() == 0


def test_fichier_reel_depose_l_emporte(dossier_neuf, tmp_path):
    """A real DGFiP file dropped into raw/reel/dgfip/communes replaces the sample row of that commune-year."""
    d = tmp_path / "d"
    shutil.copytree(dossier_neuf / "raw", d / "raw")
    cible = d / "raw" / "reel" / "dgfip" / "communes"
    cible.mkdir(parents=True)
    (cible / "export.csv").write_bytes(b"\xef\xbb\xbfan;dep;icom;pop1;prod;fprod\n2016;045;302;15000;30000.00;2000\n")
    construire(d)
    fc = charger("finances_communes", d).set_index(["code_insee", "an"])
    assert fc.loc[("45302", 2016), "provenance"] == "réel"
    assert fc.loc[("45302", 2016), "prod"] == 30000.0
    assert np.isnan(fc.loc[("45302", 2016), "caf"])  # not in the real file: missing, not taken from the sample
    assert fc.loc[("45302", 2015), "provenance"] == "exemple"


def test_variable_d_environnement(dossier_neuf, monkeypatch):
    monkeypatch.setenv("ORLEANS_GOV_DATA", str(dossier_neuf))
    assert Catalogue.depuis().racine == dossier_neuf.resolve()
    t = charger("territoire")
    assert set(t["entite"]) >= {"45234", "244500468"} and len(set(t["entite"])) == 23


def test_territoire_populations_et_strates(dossier_neuf):
    t = charger("territoire", dossier_neuf)
    orl = t[(t.entite == "45234")].set_index("an")
    assert orl.loc[2016, "population"] == 114782 and orl.loc[2016, "statut_population"] == "recensement"
    assert orl.loc[2013, "statut_population"] == "recensement"  # six largest: 2013–2023 from INSEE via the survey
    bou = t[(t.entite == "45043")].set_index("an")
    assert bou.loc[2017, "statut_population"] == "interpolée"
    assert bou.loc[2010, "statut_population"] == "extrapolée"
    assert orl.loc[2016, "strate_dgfip"] == "communes de plus de 100 000 hab"
    agglo = t[t.entite == "244500468"].set_index("an")
    assert agglo.loc[2016, "population"] == t[(t.an == 2016) & (t.niveau == "commune")]["population"].sum()


def test_police_reelle(dossier_neuf):
    p = charger("police_municipale", dossier_neuf)
    assert (p["provenance"] == "réel").all()
    orl = p[p.entite == "45234"].set_index("an")
    assert orl.loc[2013, "agents_police"] == 108
    assert "244500468" in set(p["entite"])


def test_perimetre_geometrique(dossier_neuf):
    g = charger("perimetre", dossier_neuf)
    assert len(g) == 22 and g.crs is not None and g.crs.to_epsg() == 4326
    assert "Chapelle" in g.set_index("code_insee").loc["45075", "nom"]
