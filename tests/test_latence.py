"""Interactive latency (issue 16, point 3) as behaviour, not timings: what the help and the table loader import,
that the fast loader returns exactly pandas' frames, and the progress bar of ``construire``
(the timings themselves: bench/bench_latence.py, bench/RESULTS_latence.md)."""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from orleans_gov.cli import construire_parser, options

RACINE = Path(__file__).resolve().parents[1]
LOURDS = ("pandas", "numpy", "pyarrow", "openpyxl", "matplotlib", "geopandas", "duckdb", "pydantic", "yaml",
          "orleans_gov.construction", "orleans_gov.sources", "orleans_gov.echantillon", "orleans_gov.rendu",
          "orleans_gov.scenarios", "tqdm")
AIDES = ([], ["echantillon"], ["donnees"], ["collecte"], ["collecte", "generer"], ["collecte", "importer"],
         ["scenario"], ["rapports"], ["telecharger"], ["extraire"], ["extraire", "comptes"], ["extraire", "balances"])


def _python(code: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=RACINE,
                          env={**os.environ, **(env or {})})


MODULES_APRES_AIDE = """
import json, sys
from orleans_gov.cli import main
try:
    main(sys.argv[1:] + ["--help"])
except SystemExit as e:
    code = e.code
print("@@" + json.dumps({"code": code, "modules": sorted(m for m in sys.modules
                                                        if m.split(".")[0] != "orleans_gov" or m.count(".") < 3)}))
"""


@pytest.mark.parametrize("aide", AIDES, ids=lambda a: " ".join(a) or "racine")
def test_l_aide_n_importe_ni_pandas_ni_le_code_des_commandes(aide):
    p = _python(MODULES_APRES_AIDE, *aide)
    assert p.returncode == 0, p.stderr
    sortie, _, resultat = p.stdout.rpartition("@@")
    r = json.loads(resultat)
    assert r["code"] == 0
    assert "usage: orleans-gov" in sortie
    importes = [m for m in r["modules"] if any(m == x or m.startswith(x + ".") for x in LOURDS)]
    assert not importes, importes


def test_l_aide_racine_liste_toutes_les_commandes():
    aide = construire_parser().format_help()
    for commande in ("echantillon", "donnees", "collecte", "scenario", "rapports", "telecharger", "extraire"):
        assert commande in aide


def _feuilles(parser: argparse.ArgumentParser):
    """Every parser of the tree that has a handler, with its path of sub-commands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nom, sous in action.choices.items():
                for chemin, feuille in _feuilles(sous):
                    yield [nom, *chemin], feuille
    if parser.get_default("func") is not None:
        yield [], parser


def test_chaque_commande_designe_une_fonction_existante_de_son_module():
    """The deferred handlers resolve to the real functions (a renamed handler would fail here, not at run time)."""
    feuilles = list(_feuilles(construire_parser()))
    assert len(feuilles) == 10
    for chemin, feuille in feuilles:
        func = feuille.get_default("func")
        assert isinstance(func, options.Differee), chemin
        assert callable(func.cible()), chemin
        assert func.module.startswith("orleans_gov.cli."), chemin
    from orleans_gov.cli import rapports
    f = construire_parser().parse_args(["rapports"]).func
    assert f.cible() is rapports._commande


def test_le_gestionnaire_differe_appelle_la_commande(monkeypatch):
    from orleans_gov.cli import scenario
    vus = []
    monkeypatch.setattr(scenario, "_commande", lambda args: vus.append(args.fichier) or 7)
    args = construire_parser().parse_args(["scenario", "x.yaml"])
    assert args.func(args) == 7 and vus == ["x.yaml"]


def test_valeurs_par_defaut_d_extraire_identiques_au_moteur():
    from orleans_gov.sources.nationaux import moteur
    assert (options.MEMOIRE_PAR_DEFAUT, options.THREADS_PAR_DEFAUT) == (moteur.MEMOIRE_PAR_DEFAUT,
                                                                        moteur.THREADS_PAR_DEFAUT)
    args = construire_parser().parse_args(["extraire", "comptes", "f.csv", "--sortie", "s"])
    assert (args.memoire, args.threads) == (moteur.MEMOIRE_PAR_DEFAUT, moteur.THREADS_PAR_DEFAUT)


def test_noms_des_tables_du_chargeur_egaux_aux_contrats():
    from orleans_gov.construction import TABLES
    from orleans_gov.construction.lecture import NOMS_TABLES
    assert NOMS_TABLES == TABLES


MODULES_APRES_CHARGEMENT = """
import json, sys
from orleans_gov.construction import charger
frames = [charger(n) for n in sys.argv[1:]]
print(json.dumps({"lignes": [len(f) for f in frames], "modules": sorted(sys.modules)}))
"""


def test_charger_n_importe_pas_les_constructeurs(donnees_construites):
    from orleans_gov.construction import TABLES
    sans_carte = [t for t in TABLES if t != "perimetre"]
    p = _python(MODULES_APRES_CHARGEMENT, *sans_carte, env={"ORLEANS_GOV_DATA": str(donnees_construites)})
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert len(r["lignes"]) == len(sans_carte) and all(n > 0 for n in r["lignes"])
    interdits = ("openpyxl", "matplotlib", "geopandas", "shapely", "duckdb", "pydantic", "orleans_gov.echantillon",
                 "orleans_gov.construction.tables", "orleans_gov.construction.collecte", "orleans_gov.sources")
    assert not [m for m in r["modules"] if any(m == x or m.startswith(x + ".") for x in interdits)]
    p = _python(MODULES_APRES_CHARGEMENT, "perimetre", env={"ORLEANS_GOV_DATA": str(donnees_construites)})
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert "geopandas" in r["modules"] and "openpyxl" not in r["modules"]


def test_charger_rend_exactement_le_cadre_de_pandas(donnees_construites):
    from orleans_gov.base.catalogue import Catalogue
    from orleans_gov.construction import TABLES, charger
    cat = Catalogue.depuis(donnees_construites)
    for nom in TABLES:
        if nom == "perimetre":
            continue
        attendu, lu = pd.read_parquet(cat.table(nom)), charger(nom, donnees_construites)
        pd.testing.assert_frame_equal(lu, attendu, check_exact=True)
        assert list(lu.dtypes) == list(attendu.dtypes), nom
        assert lu.index.equals(attendu.index), nom


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_barre_de_construction_compte_les_etapes_sur_un_terminal(monkeypatch):
    from orleans_gov.construction import tables
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    b = tables._Barre(True, 3)
    assert b.tqdm is not None
    b.etape("finances", faite=False)
    b.etape("territoire")
    b.etape("écriture")
    assert b.tqdm.n == 2 and b.tqdm.desc == "Données — écriture"
    b.tqdm.refresh()
    assert "Données — écriture : 2/3 étapes" in terminal.getvalue()
    b.fermer()
    assert b.fin.is_set()


def test_pas_de_barre_hors_terminal_ni_sur_demande(monkeypatch):
    from orleans_gov.construction import tables
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert tables._Barre(True, 3).tqdm is None
    monkeypatch.setattr(sys, "stderr", _Terminal())
    b = tables._Barre(False, 3)
    assert b.tqdm is None
    b.etape("x")
    b.fermer()


def test_donnees_accepte_sans_barre():
    args = construire_parser().parse_args(["donnees", "--sans-barre"])
    assert args.sans_barre is True and args.func.attribut == "commande_donnees"


def test_yaml_libyaml_lit_les_memes_parametres_et_le_meme_vocabulaire(monkeypatch):
    """The strict loader (base/yaml_strict.py, libyaml's parser when available) reads every parameter and vocabulary
    file exactly as ``yaml.safe_load`` does, and the parameter set is the same with PyYAML's pure-Python parser."""
    from orleans_gov.base import parametres as mod_parametres
    from orleans_gov.base import vocabulaire as mod_vocabulaire
    from orleans_gov.base import yaml_strict
    if hasattr(yaml, "CSafeLoader"):
        assert issubclass(yaml_strict._Chargeur, yaml.CSafeLoader)
    for fichier in sorted([*mod_parametres.DOSSIER_PARAMETRES.glob("*.yaml"), *mod_vocabulaire.DOSSIER.glob("*.yaml")]):
        texte = fichier.read_text(encoding="utf-8")
        assert yaml_strict.charger(texte) == yaml.safe_load(texte), fichier.name
    rapide = mod_parametres.lire_parametres()
    monkeypatch.setattr(yaml_strict, "_Chargeur", yaml_strict.chargeur_strict(yaml.SafeLoader))
    lent = mod_parametres.lire_parametres()
    assert sorted(rapide.table) == sorted(lent.table) and sorted(rapide.baremes) == sorted(lent.baremes)
    assert all(repr(rapide.table[n]) == repr(lent.table[n]) for n in rapide.table)


def test_yaml_invalide_toujours_une_erreur_de_donnees(tmp_path):
    from orleans_gov.base.erreurs import ErreurDonnees
    from orleans_gov.base.parametres import lire_parametres
    (tmp_path / "p.yaml").write_text("a: [1, 2\nb: 3\n", encoding="utf-8")
    with pytest.raises(ErreurDonnees, match="illisible"):
        lire_parametres(tmp_path)
    (tmp_path / "p.yaml").write_text("a:\n  valeurs:\n    2014-13-01: 1\n", encoding="utf-8")
    with pytest.raises(ErreurDonnees, match="illisible"):
        lire_parametres(tmp_path)


def test_barres_du_rendu_seulement_sur_un_terminal(monkeypatch):
    from orleans_gov.cli import rapports
    args = construire_parser().parse_args(["rapports"])
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert rapports._barre(args) is False
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert rapports._barre(args) is True
    assert rapports._barre(construire_parser().parse_args(["rapports", "--sans-barre"])) is False
