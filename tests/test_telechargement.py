"""Tests of ``orleans-gov telecharger`` against a local HTTP server (127.0.0.1, random port): no real network."""
from __future__ import annotations

import argparse
import hashlib
import json
import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from orleans_gov.cli import telechargement as cli_telechargement
from orleans_gov.sources import telechargement as tel
from orleans_gov.sources.dgfip import ENTETE_COMMUNES_2017, ENTETE_GFP, read_comptes_communes, read_comptes_gfp
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, SIREN_AGGLO

BOM = "\ufeff"
ENTETE_OFGL = "exer;reg_code;dep_code;com_code;com_name;siren;categ;type_de_budget;nomen;agregat;montant;euros_par_habitant;ptot"
RAPIDE = tel.Reessais(tentatives=3, delai=0.01, delai_max=0.02, timeout=5)


def _ligne(entete: list[str], valeurs: dict[str, object]) -> str:
    return ";".join(str(valeurs.get(c, "")) for c in entete)


def csv_communes(annees=(2019, 2020)) -> str:
    """Explore export of the DGFiP comptes individuels: BOM, 2017+ header, `;`, consistent prod/fprod."""
    lignes = [";".join(ENTETE_COMMUNES_2017)]
    for an in annees:
        for i, code in enumerate(CODES_INSEE):
            pop = 1000 + 500 * i
            prod = 1234.5 + i
            lignes.append(_ligne(ENTETE_COMMUNES_2017, {
                "an": an, "dep": "045", "icom": code[2:], "inom": COMMUNES[code][1].upper(), "reg": "024",
                "pop1": pop, "nomsst1": "communes de 500 à 2 000 hab",
                "nomsst2": "appartenant à un groupement fiscalisé (FPU)",
                "prod": prod, "fprod": round(prod * 1000 / pop), "mprod": 900}))
    return BOM + "\n".join(lignes) + "\n"


def csv_gfp(annees=(2019, 2020)) -> str:
    lignes = [";".join(ENTETE_GFP)]
    for an in annees:
        lignes.append(_ligne(ENTETE_GFP, {"mpoid": 290000, "lbudg": "CA ORLEANS VAL DE LOIRE", "exer": an,
                                          "siren": SIREN_AGGLO, "pftot": 290000.0, "pftothab": 1000}))
    return BOM + "\n".join(lignes) + "\n"


def csv_ofgl(gfp: bool) -> str:
    if gfp:
        rows = [f"2019-01-01;24;45;;;{SIREN_AGGLO};CA;Budget principal;M14;Epargne brute;1000000;3.4;290000"]
    else:
        rows = [f"2019-01-01;24;45;{c};{COMMUNES[c][1]};{COMMUNES[c][0]};Commune;Budget principal;M14;"
                f"Frais de personnel;500000;250.5;2000" for c in CODES_INSEE]
    return BOM + ENTETE_OFGL + "\n" + "\n".join(rows) + "\n"


def geojson() -> str:
    feats = [{"type": "Feature", "properties": {"code": c, "nom": COMMUNES[c][1], "population": 1000},
              "geometry": {"type": "Polygon", "coordinates": [[[1.9, 47.9], [1.91, 47.9], [1.91, 47.91], [1.9, 47.9]]]}}
             for c in CODES_INSEE]
    return json.dumps({"type": "FeatureCollection", "features": feats})


class Serveur:
    """Local fake of the three portals; ``pannes[jeu]`` = number of 503 answers before success."""

    def __init__(self) -> None:
        self.pannes: dict[str, int] = {}
        self.requetes: list[str] = []
        parent = self

        class Gestionnaire(BaseHTTPRequestHandler):
            def log_message(self, *args):  # silence
                pass

            def do_GET(self):  # noqa: N802
                parent.requetes.append(self.path)
                chemin = urllib.parse.urlsplit(self.path).path
                corps, type_ = None, "text/csv; charset=utf-8"
                jeu = chemin.split("/datasets/")[1].split("/")[0] if "/datasets/" in chemin else chemin
                if parent.pannes.get(jeu, 0) > 0:
                    parent.pannes[jeu] -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                if jeu == tel.ID_COMPTES_COMMUNES:
                    corps = csv_communes()
                elif jeu == tel.ID_COMPTES_GFP:
                    corps = csv_gfp()
                elif jeu == tel.ID_OFGL_COMMUNES:
                    corps = csv_ofgl(False)
                elif jeu == tel.ID_OFGL_GFP:
                    corps = csv_ofgl(True)
                elif chemin == tel.CHEMIN_GEO:
                    corps, type_ = geojson(), "application/geo+json"
                if corps is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = corps.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", type_)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Gestionnaire)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def bases(self) -> dict[str, str]:
        return {k: self.url for k in tel.BASES_PAR_DEFAUT}


@pytest.fixture
def serveur():
    s = Serveur()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()
    s.thread.join(timeout=5)


def _port_ferme() -> int:
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def _arbre(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


def test_filtres_odsql():
    f = tel.filtre_communes([2013, 2014])
    assert f.startswith('dep="045" and (icom="034" or icom="043"')
    assert f.count("icom=") == 22 and f.endswith('(an="2013" or an="2014")')
    assert tel.filtre_gfp() == f'siren="{SIREN_AGGLO}"'
    url = tel.url_export_csv("http://x", tel.ID_COMPTES_COMMUNES, 'dep="045"')
    assert url == ("http://x/api/explore/v2.1/catalog/datasets/" + tel.ID_COMPTES_COMMUNES
                   + "/exports/csv?where=dep%3D%22045%22&delimiter=%3B")


def test_telechargement_complet(serveur, tmp_path):
    sortie = tmp_path / "reel"
    recs = tel.telecharger(sortie, None, bases=serveur.bases(), reessais=RAPIDE)
    assert len(recs) == 5
    communes = sortie / "dgfip" / "communes" / "dgfip-comptes-communes_agglo-orleans.csv"
    gfp = sortie / "dgfip" / "gfp" / f"dgfip-comptes-gfp_{SIREN_AGGLO}.csv"
    assert communes.exists() and gfp.exists()
    # BOM stripped, content otherwise byte-identical to what the server sent
    brut = communes.read_bytes()
    assert not brut.startswith(b"\xef\xbb\xbf")
    assert brut == csv_communes()[1:].encode("utf-8")
    df = read_comptes_communes(communes)
    assert sorted(df["code_insee"].unique()) == list(CODES_INSEE) and len(df) == 44
    assert list(read_comptes_gfp(gfp)["an"]) == [2019, 2020]
    # provenance: one record per file with URL, UTC date, size and sha256 matching the files
    prov = json.loads((sortie / tel.NOM_PROVENANCE).read_text(encoding="utf-8"))["fichiers"]
    assert {r["fichier"] for r in prov} == {r["fichier"] for r in recs}
    for r in prov:
        f = sortie / r["fichier"]
        assert r["taille_octets"] == f.stat().st_size
        assert r["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
        assert r["url"].startswith(serveur.url) and r["date_utc"].endswith("Z")
    # no temporary files left behind
    assert not [p for p in sortie.rglob("*") if p.name.endswith(".part")]
    # the server filter: dep and the 22 icom, in ODSQL, with `;` as delimiter
    req = [q for q in serveur.requetes if tel.ID_COMPTES_COMMUNES in q][0]
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(req).query)
    assert params["delimiter"] == [";"] and params["where"][0].startswith('dep="045" and (icom="034"')


def test_annees_et_second_passage_fusionne_la_provenance(serveur, tmp_path):
    tel.telecharger(tmp_path, [2019, 2020], bases=serveur.bases(), reessais=RAPIDE)
    assert (tmp_path / "dgfip" / "communes" / "dgfip-comptes-communes_agglo-orleans_2019-2020.csv").exists()
    tel.telecharger(tmp_path, None, bases=serveur.bases(), reessais=RAPIDE)
    prov = json.loads((tmp_path / tel.NOM_PROVENANCE).read_text(encoding="utf-8"))["fichiers"]
    assert len(prov) == 9  # both runs kept, one record per file (the GeoJSON has no year suffix)
    req = [q for q in serveur.requetes if tel.ID_COMPTES_GFP in q][0]
    where = urllib.parse.parse_qs(urllib.parse.urlsplit(req).query)["where"][0]
    assert where == f'siren="{SIREN_AGGLO}" and (exer="2019" or exer="2020")'


def test_reessai_apres_503(serveur, tmp_path):
    serveur.pannes[tel.ID_COMPTES_COMMUNES] = 1
    attentes: list[float] = []
    d = tmp_path / "a"
    d.mkdir()
    n = tel.telecharger_url(tel.ressources(None, serveur.bases())[0].url, d / "x.csv", jeu="j", reessais=RAPIDE,
                            attendre=attentes.append)
    assert n == 2 and attentes == [0.01]
    serveur.pannes[tel.ID_COMPTES_GFP] = 1
    recs = tel.telecharger(tmp_path / "sortie", None, bases=serveur.bases(), reessais=RAPIDE)
    assert {r["jeu_de_donnees"]: r["tentatives"] for r in recs}[tel.ID_COMPTES_GFP] == 2


def test_503_persistant_echoue_sans_rien_ecrire(serveur, tmp_path):
    serveur.pannes[tel.ID_OFGL_GFP] = 99
    sortie = tmp_path / "sortie"
    sortie.mkdir()
    with pytest.raises(tel.ErreurTelechargement, match=r"127\.0\.0\.1.*ofgl-base-gfp.*3 tentatives.*503"):
        tel.telecharger(sortie, None, bases=serveur.bases(), reessais=RAPIDE)
    assert _arbre(sortie) == []


def test_backoff_borne():
    attentes: list[float] = []
    r = tel.Reessais(tentatives=6, delai=1.0, delai_max=4.0, timeout=0.5)
    # a port that accepts nothing quickly: use an HTTP 503 server-less path via a fake opener is overkill;
    # check the schedule directly through a server answering 503 forever
    s = Serveur()
    s.thread.start()
    try:
        s.pannes["x"] = 99
        with pytest.raises(tel.ErreurTelechargement):
            tel.telecharger_url(s.url + "/api/explore/v2.1/catalog/datasets/x/exports/csv", Path("/dev/null"),
                                jeu="x", reessais=r, attendre=attentes.append)
    finally:
        s.httpd.shutdown()
        s.httpd.server_close()
    assert attentes == [1.0, 2.0, 4.0, 4.0, 4.0]


def test_serveur_injoignable_cli(tmp_path, capsys):
    sortie = tmp_path / "sortie"
    sortie.mkdir()
    parser = argparse.ArgumentParser(prog="orleans-gov")
    cli_telechargement.configurer_cli(parser.add_subparsers())
    base = f"http://127.0.0.1:{_port_ferme()}"
    args = parser.parse_args(["telecharger", "--sortie", str(sortie), "--base-url", base, "--delai", "0.01"])
    code = args.func(args)
    err = capsys.readouterr().err
    assert code != 0
    assert "impossible de joindre 127.0.0.1" in err and tel.ID_COMPTES_COMMUNES in err and tel.ID_OFGL_GFP in err
    assert "Rien n'a été écrit" in err
    assert _arbre(sortie) == []


def test_contenu_invalide_refuse(serveur, tmp_path, monkeypatch):
    # the server sends a communes export with a non-numeric amount: validation refuses, nothing is written
    monkeypatch.setattr(sys.modules[__name__], "csv_communes",
                        lambda annees=(2019,): BOM + ";".join(ENTETE_COMMUNES_2017) + "\n"
                        + _ligne(ENTETE_COMMUNES_2017, {"an": 2019, "dep": "045", "icom": "234", "prod": "abc"}) + "\n")
    sortie = tmp_path / "sortie"
    with pytest.raises(tel.ErreurDonnees, match=r"prod.*'abc'"):
        tel.telecharger(sortie, None, bases=serveur.bases(), reessais=RAPIDE)
    assert not sortie.exists()


def test_cli_succes(serveur, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="orleans-gov")
    cli_telechargement.configurer_cli(parser.add_subparsers())
    args = parser.parse_args(["telecharger", "--sortie", str(tmp_path), "--base-url", serveur.url,
                              "--annees", "2019", "2020"])
    assert args.func(args) == 0
    assert "dgfip/communes/dgfip-comptes-communes_agglo-orleans_2019-2020.csv" in capsys.readouterr().out


def test_hote_injoignable_sans_preverification(tmp_path):
    # the per-file path also fails at once (no retry) on a refused connection
    attentes: list[float] = []
    with pytest.raises(tel.ErreurTelechargement, match=r"impossible de joindre 127\.0\.0\.1.*« jeu-x »"):
        tel.telecharger_url(f"http://127.0.0.1:{_port_ferme()}/x", tmp_path / "x", jeu="jeu-x", reessais=RAPIDE,
                            attendre=attentes.append)
    assert attentes == [] and not (tmp_path / "x").exists()
