"""Hostile answers to ``orleans-gov telecharger`` (issue 15): truncated bodies, wrong content, loops, Ctrl-C.

A local HTTP server (127.0.0.1, random port) answers each dataset with a programmable behaviour; every case
checks that the command refuses with a French message naming what is wrong and that NOTHING is installed
(the output folder is left exactly as it was). docs/fiabilite/telechargement_extraction.md lists the cases.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES
from orleans_gov.cli import telechargement as cli_telechargement
from orleans_gov.sources import telechargement as tel
from orleans_gov.sources.nationaux import rapport
from test_telechargement import BOM, RAPIDE, csv_communes, csv_gfp, csv_ofgl, geojson

Reponse = Callable[[BaseHTTPRequestHandler], None]


def envoyer(corps: bytes | str, *, type_: str = "text/csv; charset=utf-8", longueur: int | None = -1,
            statut: int = 200) -> Reponse:
    """An answer: ``longueur`` -1 = the true Content-Length, None = no Content-Length (body ended by closing
    the connection), any other value = announced as such (a truncated body when larger than the body)."""
    donnees = corps.encode("utf-8") if isinstance(corps, str) else corps

    def repondre(h: BaseHTTPRequestHandler) -> None:
        h.send_response(statut)
        h.send_header("Content-Type", type_)
        if longueur is not None:
            h.send_header("Content-Length", str(len(donnees) if longueur == -1 else longueur))
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(donnees)
        h.wfile.flush()
        h.close_connection = True
    return repondre


def morceaux_interrompus(corps: str) -> Reponse:
    """A chunked body whose connection drops before the last (empty) chunk."""
    donnees = corps.encode("utf-8")

    def repondre(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/csv")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        moitie = donnees[: len(donnees) // 2]
        h.wfile.write(f"{len(moitie):x}\r\n".encode() + moitie + b"\r\n")
        h.wfile.write(f"{len(donnees):x}\r\n".encode() + donnees[:100])   # announced, cut
        h.wfile.flush()
        h.close_connection = True
    return repondre


def rediriger_vers_soi() -> Reponse:
    def repondre(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", h.path)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return repondre


def normales() -> dict[str, Reponse]:
    return {tel.ID_COMPTES_COMMUNES: envoyer(csv_communes()), tel.ID_COMPTES_GFP: envoyer(csv_gfp()),
            tel.ID_OFGL_COMMUNES: envoyer(csv_ofgl(False)), tel.ID_OFGL_GFP: envoyer(csv_ofgl(True)),
            "geo": envoyer(geojson(), type_="application/geo+json")}


class Serveur:
    def __init__(self) -> None:
        self.reponses = normales()
        parent = self

        class Gestionnaire(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # silence
                pass

            def do_GET(self):  # noqa: N802
                chemin = urllib.parse.urlsplit(self.path).path
                jeu = chemin.split("/datasets/")[1].split("/")[0] if "/datasets/" in chemin else "geo"
                parent.reponses[jeu](self)

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


def _arbre(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture
def sortie(tmp_path):
    """An output folder holding a previous download: it must be left byte for byte as it is."""
    d = tmp_path / "reel"
    (d / "dgfip" / "communes").mkdir(parents=True)
    (d / "dgfip" / "communes" / "dgfip-comptes-communes_agglo-orleans.csv").write_bytes(b"ancien;contenu\n")
    (d / tel.NOM_PROVENANCE).write_text('{"fichiers": []}\n', encoding="utf-8")
    return d


def _refuse(serveur, sortie, motif: str, exc=(tel.ErreurTelechargement, ErreurDonnees)) -> str:
    avant = _arbre(sortie)
    with pytest.raises(exc) as e:
        tel.telecharger(sortie, None, bases=serveur.bases(), reessais=RAPIDE)
    assert _arbre(sortie) == avant
    assert not [p for p in sortie.rglob("*") if p.name.endswith(".tmp")]
    assert re.search(motif, str(e.value), re.S), str(e.value)
    return str(e.value)


def _premieres_lignes(texte: str, n: int) -> str:
    """The first ``n`` lines (header included) of ``texte``, cut at a line break."""
    return "".join(texte.splitlines(keepends=True)[:n])


# ----------------------------------------------------------------------------------------------------
# 1. truncated body
def test_tronque_avec_content_length_refuse(serveur, sortie):
    # the server announces the whole export (≈ 24 kB) and sends the first 11 lines, cut at a line break
    complet = csv_communes()
    serveur.reponses[tel.ID_COMPTES_COMMUNES] = envoyer(_premieres_lignes(complet, 11),
                                                        longueur=len(complet.encode("utf-8")))
    msg = _refuse(serveur, sortie, r"tronqu.*octets reçus sur \d+ annoncés")
    assert tel.ID_COMPTES_COMMUNES in msg


def test_tronque_sans_content_length_refuse_communes_absentes(serveur, sortie):
    # same cut, no Content-Length: only the perimeter's completeness can tell
    serveur.reponses[tel.ID_COMPTES_COMMUNES] = envoyer(_premieres_lignes(csv_communes(), 11), longueur=None)
    msg = _refuse(serveur, sortie, r"incomplet.*12 commune\(s\) absente\(s\)")
    assert "45302 Saran" in msg and "45234 Orléans" in msg and "dgfip-comptes-communes_agglo-orleans.csv" in msg


def test_corps_chunked_interrompu_refuse(serveur, sortie):
    serveur.reponses[tel.ID_COMPTES_GFP] = morceaux_interrompus(csv_gfp())
    _refuse(serveur, sortie, r"3 tentatives.*réponse tronquée", exc=tel.ErreurTelechargement)


def test_annee_demandee_absente_signalee(serveur, tmp_path):
    # a year asked for may not be published yet: not refused, but said and recorded in PROVENANCE.json
    serveur.reponses[tel.ID_COMPTES_COMMUNES] = envoyer(csv_communes((2019,)))
    journal: list[str] = []
    recs = tel.telecharger(tmp_path / "r", [2019, 2020], bases=serveur.bases(), reessais=RAPIDE, journal=journal.append)
    communes = [r for r in recs if r["jeu_de_donnees"] == tel.ID_COMPTES_COMMUNES][0]
    assert communes["annees"] == [2019] and communes["annees_absentes"] == [2020]
    assert any("2020" in m and "absente" in m and tel.ID_COMPTES_COMMUNES in m for m in journal)


def test_aucune_annee_demandee_refuse(serveur, sortie):
    serveur.reponses[tel.ID_COMPTES_GFP] = envoyer(csv_gfp((2017,)))
    avant = _arbre(sortie)
    with pytest.raises(ErreurDonnees, match=r"aucune des années demandées.*2019, 2020.*reçues : 2017"):
        tel.telecharger(sortie, [2019, 2020], bases=serveur.bases(), reessais=RAPIDE)
    assert _arbre(sortie) == avant


def test_ofgl_commune_absente_refuse(serveur, sortie):
    lignes = csv_ofgl(False).splitlines(keepends=True)
    serveur.reponses[tel.ID_OFGL_COMMUNES] = envoyer("".join(lignes[:-3]), longueur=None)
    _refuse(serveur, sortie, r"ofgl-base-communes.*incomplet.*3 commune\(s\) absente\(s\)")


def test_ofgl_lignes_en_double_refuse(serveur, sortie):
    lignes = csv_ofgl(False).splitlines(keepends=True)
    serveur.reponses[tel.ID_OFGL_COMMUNES] = envoyer("".join(lignes + [lignes[5]]))
    _refuse(serveur, sortie, r"ligne 24.*en double.*ligne 6")


def test_gfp_siren_absent_refuse(serveur, sortie):
    serveur.reponses[tel.ID_OFGL_GFP] = envoyer(csv_ofgl(True).splitlines()[0] + "\n")
    _refuse(serveur, sortie, r"ofgl-base-gfp.*aucune ligne de données")


# ----------------------------------------------------------------------------------------------------
# 2. geo.api answering something else than the expected FeatureCollection
@pytest.mark.parametrize("corps", ["[]", "{}", '{"type": "FeatureCollection", "features": []}', '"texte"', "null",
                                   '{"type": "FeatureCollection", "features": [1, 2]}'])
def test_geo_api_reponse_inattendue_refuse(serveur, sortie, corps):
    serveur.reponses["geo"] = envoyer(corps, type_="application/json")
    msg = _refuse(serveur, sortie, r"FeatureCollection", exc=ErreurDonnees)
    assert "geo.api" in msg and serveur.url in msg            # the dataset and the URL asked


def test_geo_api_commune_en_double_ou_sans_geometrie(serveur, sortie):
    doc = json.loads(geojson())
    doc["features"].append(doc["features"][0])
    serveur.reponses["geo"] = envoyer(json.dumps(doc))
    _refuse(serveur, sortie, r"45034.*commune en double")
    doc = json.loads(geojson())
    doc["features"][3]["geometry"] = None
    serveur.reponses["geo"] = envoyer(json.dumps(doc))
    _refuse(serveur, sortie, r"géométrie absente.*n° 4")


def test_geo_api_json_tronque(serveur, sortie):
    texte = geojson()
    serveur.reponses["geo"] = envoyer(texte[: len(texte) // 2], longueur=None)
    _refuse(serveur, sortie, r"GeoJSON illisible")


# ----------------------------------------------------------------------------------------------------
# 3. --sortie is an existing file
def test_sortie_fichier_existant_cli(serveur, tmp_path, capsys):
    f = tmp_path / "pas_un_dossier.csv"
    f.write_bytes(b"x")
    parser = argparse.ArgumentParser(prog="orleans-gov")
    cli_telechargement.configurer_cli(parser.add_subparsers())
    for sortie in (f, f / "sous-dossier"):
        args = parser.parse_args(["telecharger", "--sortie", str(sortie), "--base-url", serveur.url])
        assert args.func(args) == 1
        err = capsys.readouterr().err
        assert "n'est pas un dossier" in err and str(f) in err and "Traceback" not in err
    assert f.read_bytes() == b"x"


# ----------------------------------------------------------------------------------------------------
# 5. siblings
@pytest.mark.parametrize("jeu", [tel.ID_COMPTES_COMMUNES, tel.ID_OFGL_GFP, "geo"])
def test_page_html_statut_200_refusee(serveur, sortie, jeu):
    page = "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Service indisponible</body></html>\n"
    serveur.reponses[jeu] = envoyer(page, type_="text/html; charset=utf-8")
    _refuse(serveur, sortie, r"page HTML.*Maintenance")


def test_page_html_sans_type_refusee(serveur, sortie):
    serveur.reponses[tel.ID_COMPTES_GFP] = envoyer("  <html><body>erreur</body></html>", type_="text/csv")
    _refuse(serveur, sortie, r"page HTML")


def test_reponse_vide_refusee(serveur, sortie):
    serveur.reponses[tel.ID_COMPTES_GFP] = envoyer("")
    _refuse(serveur, sortie, r"réponse vide")


def test_entete_d_un_autre_jeu_refuse(serveur, sortie):
    # the communes URL answers the GFP export (another dataset's header)
    serveur.reponses[tel.ID_COMPTES_COMMUNES] = envoyer(csv_gfp())
    _refuse(serveur, sortie, r"colonne .*(an|dep|icom).*absente")


def test_autre_departement_seulement_refuse(serveur, sortie):
    autre = csv_communes().replace(";045;", ";037;")
    serveur.reponses[tel.ID_COMPTES_COMMUNES] = envoyer(autre)
    _refuse(serveur, sortie, r"37034.*hors périmètre")


def test_commune_en_double_refusee(serveur, sortie):
    lignes = csv_communes().splitlines(keepends=True)
    serveur.reponses[tel.ID_COMPTES_COMMUNES] = envoyer("".join(lignes + [lignes[3]]))
    _refuse(serveur, sortie, r"en double")


def test_boucle_de_redirections_refusee(serveur, sortie):
    serveur.reponses[tel.ID_OFGL_COMMUNES] = rediriger_vers_soi()
    _refuse(serveur, sortie, r"boucle de redirections.*ofgl-base-communes", exc=tel.ErreurTelechargement)


def test_erreur_404_immediate(serveur, sortie):
    serveur.reponses[tel.ID_COMPTES_GFP] = envoyer("introuvable", statut=404)
    _refuse(serveur, sortie, r"refusé.*404", exc=tel.ErreurTelechargement)


def test_ctrl_c_pendant_le_telechargement_rien_installe(serveur, sortie, monkeypatch):
    vrai = tel.telecharger_url
    appels = []

    def interrompu(url, destination, **kw):
        appels.append(url)
        if len(appels) == 3:
            raise KeyboardInterrupt
        return vrai(url, destination, **kw)
    monkeypatch.setattr(tel, "telecharger_url", interrompu)
    avant = _arbre(sortie)
    with pytest.raises(KeyboardInterrupt):
        tel.telecharger(sortie, None, bases=serveur.bases(), reessais=RAPIDE)
    assert _arbre(sortie) == avant


def test_ctrl_c_pendant_la_copie_rien_installe(serveur, sortie, monkeypatch):
    # Ctrl-C while the files are copied next to their destinations: temporaries and new folders removed
    vrai = tel._copier
    appels = []

    def interrompu(src, dst):
        appels.append(dst)
        if len(appels) == 3:
            raise KeyboardInterrupt
        return vrai(src, dst)
    monkeypatch.setattr(tel, "_copier", interrompu)
    avant = _arbre(sortie)
    dossiers = sorted(p for p in sortie.rglob("*") if p.is_dir())
    with pytest.raises(KeyboardInterrupt):
        tel.telecharger(sortie, None, bases=serveur.bases(), reessais=RAPIDE)
    assert _arbre(sortie) == avant and sorted(p for p in sortie.rglob("*") if p.is_dir()) == dossiers


def test_ctrl_c_pendant_les_renommages_differe(serveur, sortie, monkeypatch):
    # Ctrl-C between two renames: held back, the renames run to their end (all new files and their
    # provenance) — never half of the old set and half of the new one; the run says so
    vrai = rapport.remplacer_atomique
    appels = []

    def renommer(src, dst):
        appels.append(dst)
        if len(appels) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return vrai(src, dst)
    monkeypatch.setattr(rapport, "remplacer_atomique", renommer)
    journal: list[str] = []
    tel.telecharger(sortie, None, bases=serveur.bases(), reessais=RAPIDE, journal=journal.append)
    assert len(appels) == 6 and "Ctrl-C reçu pendant l'installation" in journal[-1]
    prov = json.loads((sortie / tel.NOM_PROVENANCE).read_text(encoding="utf-8"))["fichiers"]
    assert len(prov) == 5 and all((sortie / r["fichier"]).stat().st_size == r["taille_octets"] for r in prov)


def test_ctrl_c_cli(serveur, sortie, monkeypatch, capsys):
    def interrompu(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(tel, "telecharger_url", interrompu)
    parser = argparse.ArgumentParser(prog="orleans-gov")
    cli_telechargement.configurer_cli(parser.add_subparsers())
    args = parser.parse_args(["telecharger", "--sortie", str(sortie), "--base-url", serveur.url])
    assert args.func(args) == 130
    assert "interrompu" in capsys.readouterr().err


def test_provenance_corrompue_remplacee(serveur, sortie):
    (sortie / tel.NOM_PROVENANCE).write_text("{pas du json", encoding="utf-8")
    recs = tel.telecharger(sortie, None, bases=serveur.bases(), reessais=RAPIDE)
    prov = json.loads((sortie / tel.NOM_PROVENANCE).read_text(encoding="utf-8"))
    assert len(prov["fichiers"]) == len(recs) == 5


def test_completude_ne_refuse_pas_un_export_complet(serveur, tmp_path):
    recs = tel.telecharger(tmp_path / "ok", [2019, 2020], bases=serveur.bases(), reessais=RAPIDE)
    communes = [r for r in recs if r["jeu_de_donnees"] == tel.ID_COMPTES_COMMUNES][0]
    assert communes["communes"] == len(CODES_INSEE) and communes["annees"] == [2019, 2020]
    assert COMMUNES  # the names used in the messages come from base.territoire
