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
- every file is then downloaded into a private staging folder, the bytes received are counted against the
  announced ``Content-Length`` (a shorter body is retried, then refused) and an HTML page answered with status
  200 is refused; nothing touches the output folder until **every** download succeeded and every file passed
  :func:`orleans_gov.sources.telechargement_controles.controler`: the project's readers
  (:func:`~orleans_gov.sources.dgfip.read_comptes_communes`, :func:`~orleans_gov.sources.dgfip.read_comptes_gfp`)
  and the completeness of the perimeter (every year asked for, all 22 communes every year received);
- the files are then installed all or nothing (:func:`_installer`: temporary names next to the destinations,
  then renames with Ctrl-C deferred), and ``PROVENANCE.json`` records, per file, the URL, the UTC date, the
  size and the SHA-256 (:func:`orleans_gov.base.fichiers.empreinte_fichier`);
- ``--sortie`` naming an existing file is refused before anything is downloaded;
- the UTF-8 byte-order mark of the exports is stripped; timeouts and transient errors (HTTP 429/5xx, reset,
  timeout, truncated body) are retried with a bounded exponential back-off; an unreachable host (DNS failure,
  connection refused), a 4xx answer or a redirect loop fails at once with a French message naming the host
  and the dataset.

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
import http.client
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
from orleans_gov.base.fichiers import chemin_temporaire, empreinte_fichier
from orleans_gov.base.territoire import CODES_INSEE, DEP_DGFIP, SIREN_AGGLO
from orleans_gov.sources.nationaux.rapport import installer_ensemble, verifier_dossier_sortie
from orleans_gov.sources.telechargement_controles import (CHAMPS_OFGL_COMMUNES, CHAMPS_OFGL_GFP, controler,
                                                          page_html)

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
    annees: tuple[int, ...] = ()  # years asked for (empty: all); each must be in the answer


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
    an = tuple(sorted(set(int(a) for a in annees or ())))
    geo = (b["geo"].rstrip("/") + CHEMIN_GEO + "?"
           + urllib.parse.urlencode({"fields": "nom,code,population", "geometry": "contour", "format": "geojson"}))
    return [
        Ressource(ID_COMPTES_COMMUNES, url_export_csv(b["dgfip"], ID_COMPTES_COMMUNES, filtre_communes(annees)),
                  f"dgfip/communes/dgfip-comptes-communes_agglo-orleans{s}.csv", "comptes_communes", an),
        Ressource(ID_COMPTES_GFP, url_export_csv(b["dgfip"], ID_COMPTES_GFP, filtre_gfp(annees)),
                  f"dgfip/gfp/dgfip-comptes-gfp_{SIREN_AGGLO}{s}.csv", "comptes_gfp", an),
        Ressource(ID_OFGL_COMMUNES, url_export_csv(b["ofgl"], ID_OFGL_COMMUNES, filtre_ofgl_communes(annees)),
                  f"ofgl/ofgl-base-communes_agglo-orleans{s}.csv", "ofgl_communes", an),
        Ressource(ID_OFGL_GFP, url_export_csv(b["ofgl"], ID_OFGL_GFP, filtre_ofgl_gfp(annees)),
                  f"ofgl/ofgl-base-gfp_{SIREN_AGGLO}{s}.csv", "ofgl_gfp", an),
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


def _recevoir(rep, destination: Path) -> int:
    """Stream the body of ``rep`` into ``destination`` (UTF-8 BOM stripped); return the bytes received."""
    with open(destination, "wb") as f:
        debut = rep.read(len(BOM))
        recu = len(debut)
        if debut != BOM:
            f.write(debut)
        while bloc := rep.read(1 << 20):
            f.write(bloc)
            recu += len(bloc)
    return recu


def telecharger_url(url: str, destination: Path, *, jeu: str, reessais: Reessais = Reessais(),
                    attendre: Callable[[float], None] = time.sleep) -> int:
    """Download ``url`` into ``destination`` (streamed, BOM stripped); return the number of attempts used.

    Retries HTTP 429/5xx, timeouts, connection resets and truncated bodies (fewer bytes than the announced
    ``Content-Length``, or an interrupted chunked body) ``reessais.tentatives`` times with a bounded
    exponential back-off; raises :class:`ErreurTelechargement` (French message: host, dataset, cause) at once
    on an unreachable host, a 4xx answer, a redirect loop or an HTML page answered instead of the data, or
    after the last attempt.
    """
    hote = _hote(url)
    derniere: str = ""
    for k in range(1, reessais.tentatives + 1):
        try:
            requete = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            with urllib.request.urlopen(requete, timeout=reessais.timeout) as rep:
                annonce = (rep.headers.get("Content-Length") or "").strip()
                type_contenu = rep.headers.get("Content-Type") or ""
                recu = _recevoir(rep, destination)
            attendu = int(annonce) if annonce.isdigit() else None
            if attendu is not None and recu < attendu:
                derniere = f"réponse tronquée : {recu} octets reçus sur {attendu} annoncés (Content-Length)"
            else:
                titre = page_html(destination, type_contenu)
                if titre is not None:
                    raise ErreurTelechargement(
                        f"{hote} a renvoyé une page HTML au lieu des données (jeu de données « {jeu} »"
                        + (f", page « {titre[:80]} »" if titre else "") + ") : portail en maintenance ou adresse "
                        f"changée ? URL : {url}")
                return k
        except urllib.error.HTTPError as exc:
            derniere = f"réponse HTTP {exc.code} {exc.reason}"
            if 300 <= exc.code < 400:
                raise ErreurTelechargement(
                    f"boucle de redirections (ou redirections trop nombreuses) depuis {hote} (jeu de données "
                    f"« {jeu} ») : {derniere}") from None
            if exc.code != 429 and exc.code < 500:
                raise ErreurTelechargement(
                    f"téléchargement refusé par {hote} (jeu de données « {jeu} ») : {derniere}") from None
        except http.client.IncompleteRead as exc:
            derniere = f"réponse tronquée : {len(exc.partial)} octets du dernier bloc reçus, la suite manque"
        except http.client.HTTPException as exc:
            derniere = f"réponse HTTP invalide ({type(exc).__name__} : {exc})"
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
# Provenance and installation
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


_copier = shutil.copyfile
"""Copy of a staged file next to its destination (a name, so that the tests can interrupt it)."""


def _installer(sortie: Path, faits: list[Telecharge], provenance: str) -> bool:
    """Install the staged files and ``PROVENANCE.json`` in ``sortie``, all or nothing.

    Phase 1 (long, interruptible): every file is copied to a temporary name next to its destination (the
    staging folder may be on another file system). Phase 2 (a few renames, Ctrl-C deferred): every temporary
    is renamed onto its destination with :func:`orleans_gov.base.fichiers.remplacer_atomique`. Any failure or
    Ctrl-C in phase 1 removes the temporaries and the folders created for them: ``sortie`` is left as it was.
    Returns True when a Ctrl-C arrived during phase 2 (held back: the installation is complete).
    """
    cibles = [sortie / t.ressource.destination for t in faits] + [sortie / NOM_PROVENANCE]
    crees = sorted({d for c in cibles for d in (c.parent, *c.parent.parents) if not d.exists()},
                   key=lambda d: len(d.parts), reverse=True)
    prets: list[tuple[Path, Path]] = []
    try:
        for t, cible in zip(faits, cibles):
            prets.append((chemin_temporaire(cible), cible))
            _copier(t.chemin, prets[-1][0])
        prets.append((chemin_temporaire(cibles[-1]), cibles[-1]))
        prets[-1][0].write_text(provenance, encoding="utf-8")
        return installer_ensemble(prets)
    except BaseException:
        for tmp, _ in prets:
            tmp.unlink(missing_ok=True)
        for d in crees:
            try:
                d.rmdir()
            except OSError:
                pass
        raise


def telecharger(sortie: str | os.PathLike | None = None, annees: Sequence[int] | None = None, *,
                bases: Mapping[str, str] | None = None, reessais: Reessais = Reessais(),
                journal: Callable[[str], None] | None = None) -> list[dict]:
    """Download every file of :func:`ressources` and install them in ``sortie`` all-or-nothing.

    ``sortie`` defaults to ``Catalogue.depuis().reel / "telechargements"``. Returns the provenance records of
    the installed files. Raises :class:`ErreurTelechargement` (network) or :class:`ErreurDonnees` (content,
    or ``sortie`` not a folder); in both cases — and on Ctrl-C — the output folder is left exactly as it was.
    """
    if sortie is None:
        sortie = Catalogue.depuis().reel / "telechargements"
    sortie = Path(sortie)
    verifier_dossier_sortie(sortie)
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
                t.lignes, t.extra = controler(chemin, r.nature, r.annees)
            except ErreurDonnees as exc:
                # the staged path is about to vanish: name the file as it would have been installed
                detail = str(exc).replace(str(chemin), r.destination)
                raise ErreurDonnees(f"contenu téléchargé invalide (jeu « {r.jeu} », {_hote(r.url)}) : {detail}\n"
                                    f"URL : {r.url}") from None
            if t.extra.get("annees_absentes"):
                dire(f"attention : année(s) demandée(s) absente(s) de {r.jeu} : "
                     f"{', '.join(map(str, t.extra['annees_absentes']))} (pas encore publiée(s) ?)")
            t.taille = chemin.stat().st_size
            t.sha256 = empreinte_fichier(chemin)
            faits.append(t)
        # every download succeeded and passed validation: install them all, then the provenance record
        enregistrements = _provenance(sortie, faits)
        if _installer(sortie, faits, json.dumps({"genere_par": "orleans-gov telecharger", "fichiers": enregistrements},
                                                ensure_ascii=False, indent=2) + "\n"):
            dire("Ctrl-C reçu pendant l'installation : elle a été menée à son terme (fichiers complets)")
    return [r for r in enregistrements if r["fichier"] in {t.ressource.destination for t in faits}]
