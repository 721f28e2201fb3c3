"""br, gzip and plain answers, their ETags and 304s, as a reader gets them through nginx.

The service compresses each variant once a day and gives each encoding its own strong ETag; nginx
must keep the three apart, hand each client the bytes its Accept-Encoding asks for (the service's
own bytes, not recompressed), and answer ``If-None-Match`` from its copy.
"""

import pytest

from tests.deploy.servers import Answer, Client, Nginx, Origin
from tests.deploy.variants import DAY, decoded

COMPRESSIBLE = (
    "/badge.svg?lang=ar",
    "/badge.svg?lang=zgh&style=for-the-badge&theme=dark",
    "/embed/text.svg?lang=zgh&part=sentence&theme=dark",
    "/api/counter.json?lang=ary",
    "/?lang=fr",
    "/embed.js",
    "/ary/",
    f"/embed/{DAY}/zgh/text/sentence/dark.svg",
)
"""Query forms, and path forms from both of nginx's path-form locations (the page, the script's pictures)."""
PNG = ("/badge.png?lang=zgh&scale=2", "/badge/zgh/flat/light@2x.png", "/card/fr.png")
"""PNG in its query form and in its path forms."""
ASKED = {"br": "gzip, deflate, br, zstd", "gzip": "gzip, deflate", "": "identity"}
"""Accept-Encoding as a browser sends it (or a client that wants the plain bytes), by the encoding it must get."""


def vary_names(answer: Answer) -> set[str]:
    return {name.strip().lower() for name in answer.headers.get("vary", "").split(",") if name.strip()}


def through_cache(client: Client, target: str, encoding: str) -> Answer:
    return client.request("GET", target, {"Accept-Encoding": ASKED[encoding]})


@pytest.mark.parametrize("target", COMPRESSIBLE)
def test_each_encoding_is_the_services_own_bytes_and_decodes_to_the_same_answer(
    nginx: Nginx, origin: Origin, target: str
) -> None:
    client, direct = Client(nginx.port), Client(origin.port)
    plain = direct.request("GET", target).body
    for encoding in ("br", "gzip", ""):
        first, second = through_cache(client, target, encoding), through_cache(client, target, encoding)
        from_service = direct.request("GET", target, {"Accept-Encoding": encoding} if encoding else {})
        assert first.status == second.status == 200
        assert first.headers.get("content-encoding", "") == encoding, target
        assert "accept-encoding" in vary_names(first)
        assert first.body == second.body == from_service.body
        assert int(first.headers["content-length"]) == len(first.body)
        assert decoded(first.body, encoding) == plain
        assert second.headers["x-cache-status"] == "HIT"
    client.close()
    direct.close()


@pytest.mark.parametrize("target", COMPRESSIBLE)
def test_each_encoding_has_its_own_etag_and_a_matching_if_none_match_gets_304(nginx: Nginx, target: str) -> None:
    client = Client(nginx.port)
    etags = {encoding: through_cache(client, target, encoding).headers["etag"] for encoding in ASKED}
    assert len(set(etags.values())) == 3, etags
    assert not any(etag.startswith("W/") for etag in etags.values())
    for encoding, etag in etags.items():
        revalidated = client.request("GET", target, {"Accept-Encoding": ASKED[encoding], "If-None-Match": etag})
        assert (revalidated.status, revalidated.body, revalidated.headers["etag"]) == (304, b"", etag)
        for other_encoding, other_etag in etags.items():
            if other_encoding != encoding:
                headers = {"Accept-Encoding": ASKED[encoding], "If-None-Match": other_etag}
                answer = client.request("GET", target, headers)
                assert answer.status == 200
                assert answer.headers.get("content-encoding", "") == encoding
        head = client.request("HEAD", target, {"Accept-Encoding": ASKED[encoding]})
        full = through_cache(client, target, encoding)
        assert (head.status, head.body, head.headers["etag"]) == (200, b"", etag)
        assert head.headers["content-length"] == str(len(full.body))
    client.close()


@pytest.mark.parametrize("target", PNG)
def test_a_png_goes_out_as_it_is_whatever_the_client_accepts_and_is_fetched_once(
    nginx: Nginx, origin: Origin, target: str
) -> None:
    client = Client(nginx.port)
    mark = len(origin.requests())
    answers = [through_cache(client, target, encoding) for encoding in ASKED]
    assert {answer.status for answer in answers} == {200}
    assert {answer.body for answer in answers} == {answers[0].body}
    assert answers[0].body.startswith(b"\x89PNG\r\n\x1a\n")
    assert not any("content-encoding" in answer.headers for answer in answers)
    assert [request.target for request in origin.requests(mark)] == [target]
    client.close()
