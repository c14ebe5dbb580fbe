"""Incremental ``orleans-gov donnees`` (issue 16, point 1): nothing changed → nothing rebuilt; any input or output
changed → full rebuild, with the reason."""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.cli.donnees import commande_donnees
from orleans_gov.construction import etat as etat_mod
from orleans_gov.construction import tables as tables_mod
from orleans_gov.construction.etat import ETAT, etat_construction
from orleans_gov.construction.lecture import NOMS_TABLES


@pytest.fixture(scope="module")
def modele(donnees_construites: Path, tmp_path_factory) -> Path:
    """A copy of the repository's raw data, fully built once by ``construire`` (state recorded)."""
    d = tmp_path_factory.mktemp("modele") / "data"
    shutil.copytree(donnees_construites / "raw", d / "raw")
    tables_mod.construire(d)
    return d


@pytest.fixture
def dossier(modele: Path, tmp_path: Path) -> Path:
    """A private copy of the built folder (raw, processed and the state file), for one test to alter."""
    return Path(shutil.copytree(modele, tmp_path / "data"))


@pytest.fixture
def appels(monkeypatch) -> list:
    """Replace the real build by a recorder (the decision is under test, not the build)."""
    faits: list = []
    monkeypatch.setattr(tables_mod, "construire", lambda d, verbeux=False, barre=False: faits.append(d) or {"x": d})
    return faits


def test_rien_de_change_rien_reconstruit(dossier: Path, appels: list):
    etat, ecrits = tables_mod.construire_si_necessaire(dossier)
    assert etat.a_jour and etat.raisons == () and ecrits == {} and appels == []


def test_tout_force_la_construction(dossier: Path, appels: list):
    etat, _ = tables_mod.construire_si_necessaire(dossier, tout=True)
    assert etat.a_jour and appels == [dossier]


def test_etat_enregistre_chaque_table(dossier: Path):
    contenu = json.loads((Catalogue.depuis(dossier).processed / ETAT).read_text(encoding="utf-8"))
    assert set(contenu["sorties"]) == set(NOMS_TABLES)
    assert set(contenu["entrees"]) == {"raw", "config", "code", "versions"}


def test_fichier_brut_modifie(dossier: Path, appels: list):
    brut = next(p for p in sorted((dossier / "raw").rglob("*.csv")))
    brut.write_bytes(brut.read_bytes() + b"\n")
    etat, _ = tables_mod.construire_si_necessaire(dossier)
    assert not etat.a_jour and "données brutes (data/raw) modifiées" in etat.raisons and appels == [dossier]


def test_fichier_brut_ajoute(dossier: Path, appels: list):
    (dossier / "raw" / "collecte").mkdir(exist_ok=True)
    (dossier / "raw" / "collecte" / "nouveau.csv").write_text("a;b\n", encoding="utf-8")
    assert "données brutes (data/raw) modifiées" in etat_construction(dossier).raisons


def test_fichier_cache_ignore(dossier: Path):
    """A lock or editor swap file (hidden) is not an input."""
    (dossier / "raw" / ".~lock.x#").write_text("verrou", encoding="utf-8")
    assert etat_construction(dossier).a_jour


def test_table_supprimee_ou_modifiee(dossier: Path, appels: list):
    cat = Catalogue.depuis(dossier)
    cat.table("territoire").unlink()
    octets = cat.table("effectifs").read_bytes()
    cat.table("effectifs").write_bytes(octets[:-1] + bytes([octets[-1] ^ 1]))
    etat, _ = tables_mod.construire_si_necessaire(dossier)
    assert "table territoire absente" in etat.raisons
    assert "table effectifs modifiée depuis la construction" in etat.raisons and appels == [dossier]


@pytest.mark.parametrize("contenu", ["", "{", "[]", '{"entrees": 1, "sorties": {}}', '{"sorties": {}}'])
def test_etat_illisible(dossier: Path, contenu: str):
    (Catalogue.depuis(dossier).processed / ETAT).write_text(contenu, encoding="utf-8")
    etat = etat_construction(dossier)
    assert not etat.a_jour and etat.raisons == (f"état de la dernière construction illisible ({ETAT})",)


def test_construction_partielle_oublie_l_etat(dossier: Path):
    tables_mod.construire(dossier, tables=["territoire"])
    assert etat_construction(dossier).raisons == ("aucune construction complète enregistrée",)


def test_code_de_construction_modifie(dossier: Path, tmp_path: Path, monkeypatch):
    code = tmp_path / "paquet"
    shutil.copytree(etat_mod.DOSSIER_CODE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(etat_mod, "DOSSIER_CODE", code)
    tables_mod.enregistrer_etat(dossier, etat_mod.entrees_construction(dossier))
    assert etat_construction(dossier).a_jour
    (code / "rendu" / "__init__.py").write_text("# couche au-dessus de la construction\n", encoding="utf-8")
    assert etat_construction(dossier).a_jour       # a layer above construction is not an input
    parametres = next((code / "base").rglob("*.yaml"))
    parametres.write_bytes(parametres.read_bytes() + b"\n")
    assert etat_construction(dossier).raisons == ("code de construction modifié",)


def test_versions_modifiees(dossier: Path, monkeypatch):
    monkeypatch.setattr(etat_mod, "version_paquet", lambda nom: "0.0" if nom == "pyarrow" else "x")
    assert "versions des bibliothèques modifiées" in etat_construction(dossier).raisons


def test_commande_donnees_dit_ce_qu_elle_fait(dossier: Path, appels: list, capsys):
    args = argparse.Namespace(dossier_donnees=str(dossier), sans_barre=True, tout=False)
    assert commande_donnees(args) == 0
    assert "rien à reconstruire" in capsys.readouterr().out and appels == []
    Catalogue.depuis(dossier).table("territoire").unlink()
    assert commande_donnees(args) == 0
    assert "reconstruit : table territoire absente" in capsys.readouterr().out and appels == [str(dossier)]
