"""Download the official data of the perimeter (22 communes + the agglomeration) from the public APIs.

Sources (docs/FORMATS.md):

- DGFiP « comptes individuels des communes » (data.economie.gouv.fr, Explore API v2.1, CSV export, no row cap),
  filtered server-side in ODSQL on ``dep="045"`` and the 22 ``icom`` (and ``an`` when years are given);
- DGFiP « comptes individuels des groupements à fiscalité propre », filtered on ``siren="244500468"``
  (and ``exer``);
- OFGL ``ofgl-base-communes`` / ``ofgl-base-gfp`` (data.ofgl.fr, same API), filtered on the perimeter;
- geo.api.gouv.fr: members of the EPCI with their population and contour (GeoJSON).

Guarantees:

- every host is probed first (TCP connection, 5–10 s timeout): without network the command fails at once;
- every file is then downloaded into a private staging folder; nothing touches the output folder until
  **every** download succeeded and every DGFiP file passed the project's readers
  (:func:`~orleans_gov.sources.dgfip.read_comptes_communes`, :func:`~orleans_gov.sources.dgfip.read_comptes_gfp`);
- each file is then written in atomically (:func:`orleans_gov.base.fichiers.ecrire_atomique`: temporary name in
  the destination folder, then :func:`os.replace`), and ``PROVENANCE.json`` records, per file, the URL, the UTC
  date, the size and the SHA-256 (:func:`orleans_gov.base.fichiers.empreinte_fichier`);
- the UTF-8 byte-order mark of the exports is stripped; timeouts and transient errors (HTTP 429/5xx, reset,
  timeout) are retried with a bounded exponential back-off; an unreachable host (DNS failure, connection
  refused) fails at once with a French message naming the host and the dataset.

Layout of the output folder (``--sortie data/raw/reel`` plugs straight into ``make data``, which reads
``catalogue.dgfip_communes_reel`` and ``catalogue.dgfip_gfp_reel``)::

    <sortie>/dgfip/communes/dgfip-comptes-communes_agglo-orleans[_<années>].csv
    <sortie>/dgfip/gfp/dgfip-comptes-gfp_244500468[_<années>].csv
    <sortie>/ofgl/ofgl-base-communes_agglo-orleans[_<années>].csv
    <sortie>/ofgl/ofgl-base-gfp_244500468[_<années>].csv
    <sortie>/geo/epci-244500468_communes_geo-api.geojson
    <sortie>/PROVENANCE.json
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import ecrire_atomique, empreinte_fichier
from orleans_gov.base.provenance import REEL
from orleans_gov.base.territoire import CODES_INSEE, DEP_DGFIP, SIREN_AGGLO
from orleans_gov.sources.dgfip import read_comptes_communes, read_comptes_gfp

BASES_PAR_DEFAUT: dict[str, str] = {
    "dgfip": "https://data.economie.gouv.fr",
    "ofgl": "https://data.ofgl.fr",
    "geo": "https://geo.api.gouv.fr",
}
"""Base URL of each portal (overridable, e.g. to point the tests at 127.0.0.1)."""

ID_COMPTES_COMMUNES = "comptes-individuels-des-communes-fichier-global-a-compter-de-2000"
ID_COMPTES_GFP = "comptes-individuels-des-groupements-a-fiscalite-propre-fichier-global-a-compter-"
ID_OFGL_COMMUNES = "ofgl-base-communes"
ID_OFGL_GFP = "ofgl-base-gfp"
CHEMIN_API = "/api/explore/v2.1/catalog/datasets/{id}/exports/csv"
CHEMIN_GEO = f"/epcis/{SIREN_AGGLO}/communes"
NOM_PROVENANCE = "PROVENANCE.json"
USER_AGENT = "orleans_gov/0.1 (mission finances publiques ; urllib)"
BOM = b"\xef\xbb\xbf"

CHAMPS_OFGL_COMMUNES = ("exer", "com_code", "agregat", "montant")
CHAMPS_OFGL_GFP = ("exer", "siren", "agregat", "montant")


class ErreurTelechargement(RuntimeError):
    """A download failed (host unreachable, HTTP error, invalid content); the message is in French and names
    the host and the dataset. Nothing has been written to the output folder when it is raised."""


@dataclass(frozen=True)
class Ressource:
    """One file to download: dataset id, URL, destination (relative to the output folder), validation kind."""

    jeu: str
    url: str
    destination: str
    nature: str  # "comptes_communes" | "comptes_gfp" | "ofgl_communes" | "ofgl_gfp" | "geojson"


@dataclass(frozen=True)
class Reessais:
    """Bounded exponential back-off: ``tentatives`` attempts, waits ``delai × 2**k`` capped at ``delai_max`` s."""

    tentatives: int = 4
    delai: float = 1.0
    delai_max: float = 8.0
    timeout: float = 30.0


@dataclass
class Telecharge:
    """One downloaded file (in the staging folder) and its provenance record."""

    ressource: Ressource
    chemin: Path
    date_utc: str
    taille: int = 0
    sha256: str = ""
    lignes: int | None = None
    tentatives: int = 1
    extra: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------------
# ODSQL filters and URLs (pure functions)
def _liste_ou(champ: str, valeurs: Iterable[str]) -> str:
    """``(champ="a" or champ="b")``: portable ODSQL for a list of quoted strings."""
    termes = [f'{champ}="{v}"' for v in valeurs]
    return termes[0] if len(termes) == 1 else "(" + " or ".join(termes) + ")"


def filtre_communes(annees: Sequence[int] | None = None) -> str:
    """ODSQL filter of the 22 communes in the DGFiP comptes individuels (``dep``, ``icom``, ``an`` are strings)."""
    icoms = [c[2:] for c in CODES_INSEE]
    filtre = f'dep="{DEP_DGFIP}" and ' + _liste_ou("icom", icoms)
    if annees:
        filtre += " and " + _liste_ou("an", [str(a) for a in annees])
    return filtre


def filtre_gfp(annees: Sequence[int] | None = None) -> str:
    """ODSQL filter of the agglomeration in the DGFiP GFP comptes individuels (``siren``, ``exer``)."""
    filtre = f'siren="{SIREN_AGGLO}"'
    if annees:
        filtre += " and " + _liste_ou("exer", [str(a) for a in annees])
    return filtre


def _filtre_annees_ofgl(annees: Sequence[int] | None) -> str:
    if not annees:
        return ""
    # ``exer`` is a date field in the OFGL datasets: compare its year
    return " and (" + " or ".join(f"year(exer)={a}" for a in annees) + ")"


def filtre_ofgl_communes(annees: Sequence[int] | None = None) -> str:
    """ODSQL filter of the 22 communes in ``ofgl-base-communes`` (``com_code`` = 5-character INSEE code)."""
    return _liste_ou("com_code", CODES_INSEE) + _filtre_annees_ofgl(annees)


def filtre_ofgl_gfp(annees: Sequence[int] | None = None) -> str:
    """ODSQL filter of the agglomeration in ``ofgl-base-gfp``."""
    return f'siren="{SIREN_AGGLO}"' + _filtre_annees_ofgl(annees)


def url_export_csv(base: str, jeu: str, where: str) -> str:
    """Explore API v2.1 CSV export URL (no row cap, ``;`` separator)."""
    requete = urllib.parse.urlencode({"where": where, "delimiter": ";"}, quote_via=urllib.parse.quote)
    return base.rstrip("/") + CHEMIN_API.format(id=jeu) + "?" + requete


def _suffixe(annees: Sequence[int] | None) -> str:
    if not annees:
        return ""
    a = sorted(set(int(x) for x in annees))
    if a == list(range(a[0], a[-1] + 1)) and len(a) > 1:
        return f"_{a[0]}-{a[-1]}"
    return "_" + "-".join(map(str, a))


def ressources(annees: Sequence[int] | None = None, bases: Mapping[str, str] | None = None) -> list[Ressource]:
    """The files to download for the perimeter, with their URLs and destinations."""
    b = {**BASES_PAR_DEFAUT, **(bases or {})}
    s = _suffixe(annees)
    geo = (b["geo"].rstrip("/") + CHEMIN_GEO + "?"
           + urllib.parse.urlencode({"fields": "nom,code,population", "geometry": "contour", "format": "geojson"}))
    return [
        Ressource(ID_COMPTES_COMMUNES, url_export_csv(b["dgfip"], ID_COMPTES_COMMUNES, filtre_communes(annees)),
                  f"dgfip/communes/dgfip-comptes-communes_agglo-orleans{s}.csv", "comptes_communes"),
        Ressource(ID_COMPTES_GFP, url_export_csv(b["dgfip"], ID_COMPTES_GFP, filtre_gfp(annees)),
                  f"dgfip/gfp/dgfip-comptes-gfp_{SIREN_AGGLO}{s}.csv", "comptes_gfp"),
        Ressource(ID_OFGL_COMMUNES, url_export_csv(b["ofgl"], ID_OFGL_COMMUNES, filtre_ofgl_communes(annees)),
                  f"ofgl/ofgl-base-communes_agglo-orleans{s}.csv", "ofgl_communes"),
        Ressource(ID_OFGL_GFP, url_export_csv(b["ofgl"], ID_OFGL_GFP, filtre_ofgl_gfp(annees)),
                  f"ofgl/ofgl-base-gfp_{SIREN_AGGLO}{s}.csv", "ofgl_gfp"),
        Ressource("geo.api.gouv.fr/epcis/communes", geo,
                  f"geo/epci-{SIREN_AGGLO}_communes_geo-api.geojson", "geojson"),
    ]


# ----------------------------------------------------------------------------------------------------
# HTTP with retries
def _hote(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _injoignable(exc: BaseException) -> bool:
    """True for errors that mean « no network / nothing there » (not worth retrying): DNS failure,
    connection refused, no route, or a timeout while connecting (``URLError`` wrapping a timeout; a timeout
    while reading the body is raised bare and is retried)."""
    raison = getattr(exc, "reason", exc)
    if isinstance(raison, socket.gaierror):
        return True
    if isinstance(exc, urllib.error.URLError) and isinstance(raison, (TimeoutError, socket.timeout)):
        return True
    if isinstance(raison, ConnectionRefusedError):
        return True
    if isinstance(raison, OSError) and raison.errno in (errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH):
        return True
    return False


def telecharger_url(url: str, destination: Path, *, jeu: str, reessais: Reessais = Reessais(),
                    attendre: Callable[[float], None] = time.sleep) -> int:
    """Download ``url`` into ``destination`` (streamed, BOM stripped); return the number of attempts used.

    Retries HTTP 429/5xx, timeouts and connection resets ``reessais.tentatives`` times with a bounded
    exponential back-off; raises :class:`ErreurTelechargement` (French message: host, dataset, cause) at once
    on an unreachable host or a 4xx answer, or after the last attempt.
    """
    hote = _hote(url)
    derniere: str = ""
    for k in range(1, reessais.tentatives + 1):
        try:
            requete = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            with urllib.request.urlopen(requete, timeout=reessais.timeout) as rep, open(destination, "wb") as f:
                debut = rep.read(len(BOM))
                if debut != BOM:
                    f.write(debut)
                shutil.copyfileobj(rep, f, 1 << 20)
            return k
        except urllib.error.HTTPError as exc:
            derniere = f"réponse HTTP {exc.code} {exc.reason}"
            if exc.code != 429 and exc.code < 500:
                raise ErreurTelechargement(
                    f"téléchargement refusé par {hote} (jeu de données « {jeu} ») : {derniere}") from None
        except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError, OSError) as exc:
            if _injoignable(exc):
                raise ErreurTelechargement(
                    f"impossible de joindre {hote} (jeu de données « {jeu} ») : pas de réseau ou serveur "
                    f"injoignable ({getattr(exc, 'reason', exc)})") from None
            derniere = f"{type(getattr(exc, 'reason', exc)).__name__} : {getattr(exc, 'reason', exc)}"
        if k < reessais.tentatives:
            attendre(min(reessais.delai * 2 ** (k - 1), reessais.delai_max))
    raise ErreurTelechargement(
        f"échec du téléchargement depuis {hote} (jeu de données « {jeu} ») après {reessais.tentatives} "
        f"tentatives : {derniere}")


def verifier_acces(liste: Sequence[Ressource], timeout: float = 5.0) -> None:
    """Fail fast: open (and close) a TCP connection to every distinct host before downloading anything.

    Raises :class:`ErreurTelechargement` naming the host and the datasets it serves. Hosts reached through
    a configured proxy (``https_proxy`` …) are not probed directly (urllib goes through the proxy).
    """
    proxies = urllib.request.getproxies()
    hotes: dict[tuple[str, int], list[str]] = {}
    for r in liste:
        u = urllib.parse.urlsplit(r.url)
        if u.scheme in proxies and not urllib.request.proxy_bypass(u.hostname or ""):
            continue
        port = u.port or (443 if u.scheme == "https" else 80)
        hotes.setdefault((u.hostname or "", port), []).append(r.jeu)
    for (hote, port), jeux in hotes.items():
        try:
            with socket.create_connection((hote, port), timeout=timeout):
                pass
        except OSError as exc:
            raise ErreurTelechargement(
                f"impossible de joindre {hote}:{port} (jeu(x) de données : {', '.join(jeux)}) : pas de réseau ou "
                f"serveur injoignable ({exc})") from None


# ----------------------------------------------------------------------------------------------------
# Validation of the downloaded content
def _compter_lignes(chemin: Path) -> int:
    with open(chemin, "rb") as f:
        return sum(1 for ligne in f if ligne.strip())


def _verifier_csv_ofgl(chemin: Path, requis: Sequence[str]) -> int:
    with open(chemin, encoding="utf-8", errors="replace") as f:
        entete = f.readline().strip().split(";")
    manquants = [c for c in requis if c not in entete]
    if manquants:
        raise ErreurDonnees("colonne attendue absente de l'export OFGL", fichier=chemin, ligne=1, colonne=manquants[0])
    n = _compter_lignes(chemin) - 1
    if n <= 0:
        raise ErreurDonnees("l'export ne contient aucune ligne de données (filtre trop restrictif ?)", fichier=chemin)
    return n


def valider(t: Telecharge) -> None:
    """Check a staged file with the project's readers; raise :class:`ErreurDonnees` when it is unusable."""
    chemin, nature = t.chemin, t.ressource.nature
    if nature == "comptes_communes":
        df = read_comptes_communes(chemin, provenance=REEL)
        hors = sorted(set(df["code_insee"]) - set(CODES_INSEE))
        if hors:
            raise ErreurDonnees("commune hors périmètre renvoyée par le filtre", fichier=chemin,
                                colonne="icom", valeur=hors[0])
        t.lignes = len(df)
        t.extra = {"communes": int(df["code_insee"].nunique()), "annees": sorted(int(a) for a in df["an"].unique())}
    elif nature == "comptes_gfp":
        df = read_comptes_gfp(chemin, provenance=REEL, siren_defaut=SIREN_AGGLO)
        t.lignes = len(df)
        t.extra = {"annees": sorted(int(a) for a in df["an"].unique())}
    elif nature == "ofgl_communes":
        t.lignes = _verifier_csv_ofgl(chemin, CHAMPS_OFGL_COMMUNES)
    elif nature == "ofgl_gfp":
        t.lignes = _verifier_csv_ofgl(chemin, CHAMPS_OFGL_GFP)
    elif nature == "geojson":
        try:
            doc = json.loads(chemin.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ErreurDonnees(f"GeoJSON illisible : {exc}", fichier=chemin) from None
        entites = doc.get("features") if isinstance(doc, dict) else None
        if doc.get("type") != "FeatureCollection" or not entites:
            raise ErreurDonnees("GeoJSON attendu : FeatureCollection non vide", fichier=chemin)
        for i, e in enumerate(entites, start=1):
            props = e.get("properties") or {}
            for c in ("code", "nom", "population"):
                if c not in props:
                    raise ErreurDonnees(f"propriété absente de l'entité n° {i}", fichier=chemin, colonne=c)
        codes = {e["properties"]["code"] for e in entites}
        manquantes = sorted(set(CODES_INSEE) - codes)
        if manquantes:
            raise ErreurDonnees("commune du périmètre absente de la réponse", fichier=chemin, colonne="code",
                                valeur=manquantes[0])
        t.lignes = len(entites)
    else:  # pragma: no cover - programming error
        raise ValueError(nature)


def _maintenant() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _provenance(sortie: Path, telecharges: list[Telecharge]) -> list[dict]:
    """Merge the new records into the existing ``PROVENANCE.json`` (one record per file, newest wins)."""
    anciens: list[dict] = []
    chemin = sortie / NOM_PROVENANCE
    if chemin.exists():
        try:
            anciens = json.loads(chemin.read_text(encoding="utf-8")).get("fichiers", [])
        except (json.JSONDecodeError, AttributeError):
            anciens = []
    nouveaux = []
    for t in telecharges:
        rec = {"fichier": t.ressource.destination, "jeu_de_donnees": t.ressource.jeu, "url": t.ressource.url,
               "date_utc": t.date_utc, "taille_octets": t.taille, "sha256": t.sha256, "lignes": t.lignes,
               "tentatives": t.tentatives}
        rec.update(t.extra)
        nouveaux.append(rec)
    faits = {r["fichier"] for r in nouveaux}
    return [r for r in anciens if r.get("fichier") not in faits] + nouveaux


def telecharger(sortie: str | os.PathLike | None = None, annees: Sequence[int] | None = None, *,
                bases: Mapping[str, str] | None = None, reessais: Reessais = Reessais(),
                journal: Callable[[str], None] | None = None) -> list[dict]:
    """Download every file of :func:`ressources` and install them in ``sortie`` all-or-nothing.

    ``sortie`` defaults to ``Catalogue.depuis().reel / "telechargements"``. Returns the provenance records of
    the installed files. Raises :class:`ErreurTelechargement` (network) or :class:`ErreurDonnees` (content);
    in both cases the output folder is left exactly as it was.
    """
    if sortie is None:
        sortie = Catalogue.depuis().reel / "telechargements"
    sortie = Path(sortie)
    dire = journal or (lambda _m: None)
    with tempfile.TemporaryDirectory(prefix="orleans_gov_telechargement_") as dossier:
        staging = Path(dossier)
        faits: list[Telecharge] = []
        liste = ressources(annees, bases)
        verifier_acces(liste, timeout=min(reessais.timeout, 10.0))
        for r in liste:
            chemin = staging / r.destination
            chemin.parent.mkdir(parents=True, exist_ok=True)
            dire(f"téléchargement : {r.jeu} ({_hote(r.url)})")
            t = Telecharge(r, chemin, _maintenant())
            t.tentatives = telecharger_url(r.url, chemin, jeu=r.jeu, reessais=reessais)
            if chemin.stat().st_size == 0:
                raise ErreurTelechargement(f"réponse vide de {_hote(r.url)} (jeu de données « {r.jeu} »)")
            try:
                valider(t)
            except ErreurDonnees as exc:
                raise ErreurDonnees(f"contenu téléchargé invalide (jeu « {r.jeu} », {_hote(r.url)}) : {exc}") from None
            t.taille = chemin.stat().st_size
            t.sha256 = empreinte_fichier(chemin)
            faits.append(t)
        # every download succeeded and passed validation: install (the staging folder may be on another file
        # system, so each file is written in, not moved), then write the provenance record
        enregistrements = _provenance(sortie, faits)
        for t in faits:
            ecrire_atomique(sortie / t.ressource.destination, t.chemin.read_bytes())
        ecrire_atomique(sortie / NOM_PROVENANCE,
                        json.dumps({"genere_par": "orleans-gov telecharger", "fichiers": enregistrements},
                                   ensure_ascii=False, indent=2) + "\n")
    return [r for r in enregistrements if r["fichier"] in {t.ressource.destination for t in faits}]
