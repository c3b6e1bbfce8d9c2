"""A deterministic mix of realistic request bodies for benchmarks (valid and invalid).

    from payloads import payload_mix      # with bench/ on sys.path
    for p in payload_mix():               # p.body, p.intended_valid, p.controlnets, p.name

The mix is every file of spec/examples/valid and spec/examples/invalid, plus `generated` bodies
built from five model recipes seen in Leonardo's guides (Phoenix, Flux, SDXL with Alchemy off,
PhotoReal v2, Lucid Realism). Each generated body has 5 to 17 top-level fields (a target of
5 to 15, overshot when the last setter adds a pair such as width+height); about 40% carry
1 to 4 controlnets (style, character or content reference with strengthType, or
edge/depth/pose with weight), some carry elements, userElements or an init image. About 40% of
generated bodies get exactly one realistic mistake (see MISTAKES), 4 of the 10 kinds inside the
controlnets array. `intended_valid` is the verdict by construction; benchmarks should still
take python-jsonschema's verdict as the reference and report any label that disagrees.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MISTAKES", "Payload", "example_payloads", "generated_payloads", "payload_mix"]

EXAMPLES = Path(__file__).resolve().parent.parent / "spec" / "examples"
DEFAULT_GENERATED = 350
DEFAULT_SEED = 7  # the same mix on every run and every machine
INVALID_SHARE = 0.4
CONTROLNET_SHARE = 0.4

Body = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Payload:
    name: str  # "valid/minimal", "invalid/ultra-alchemy-true" or "generated/0042"
    body: Body
    intended_valid: bool
    controlnets: int  # entries in body["controlnets"]; 0 when absent or null
    recipe: str  # "example", or the generator's recipe, plus "+mistake" when one was applied


PHOENIX = ["de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3", "6b645e3a-d64f-4341-a6d8-7a3690fbf042"]
FLUX = ["b2614463-296c-462a-9586-aafdb8f00e36", "1dd50843-d653-4516-a8e3-f0238ee453ff"]
SDXL = ["aa77f04e-3eec-4034-9c07-d0f619684628", "5c232a9e-9061-4777-980a-ddc8e65647c6"]
LUCID_REALISM = "05ce0082-2d80-4a2d-8653-4d1c85e2418e"
ALCHEMY_STYLES = ["DYNAMIC", "CREATIVE", "ILLUSTRATION", "PHOTOGRAPHY", "RENDER_3D", "ANIME"]
PHOTOREAL_STYLES = ["CINEMATIC", "BOKEH", "FASHION", "FILM", "MOODY", "VIBRANT", "PORTRAIT"]
CONTRASTS = [2.5, 3, 3.5, 4, 4.5]  # documented steps that also satisfy Phoenix and Flux
PROMPTS = [
    "A lighthouse on a cliff at dusk, oil painting, warm light",
    "Portrait of an elderly fisherman, weathered skin, dramatic rim light",
    "Isometric cozy library with floating books, soft pastel palette",
    "A red fox in fresh snow, telephoto, shallow depth of field",
    "Neon-lit street market in the rain, cinematic, 35mm",
]
IMAGE_IDS = ["9d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a", "06c4d15c-0d32-42b3-bec2-4e1d685d229f"]


def _phoenix(rng: random.Random) -> Body:
    body: Body = {"modelId": rng.choice(PHOENIX), "contrast": rng.choice(CONTRASTS)}
    if rng.random() < 0.5:
        body["alchemy"] = True
    if rng.random() < 0.3:
        body["sd_version"] = "PHOENIX"
    if rng.random() < 0.6:
        body["presetStyle"] = rng.choice(ALCHEMY_STYLES)
    return body


def _flux(rng: random.Random) -> Body:
    body: Body = {"modelId": rng.choice(FLUX), "contrast": rng.choice(CONTRASTS)}
    if rng.random() < 0.5:
        body["styleUUID"] = "111dc692-d470-4eec-b791-3475abac4c46"
    return body


def _sdxl_alchemy_off(rng: random.Random) -> Body:
    return {
        "modelId": rng.choice(SDXL),
        "alchemy": False,
        "presetStyle": rng.choice(["LEONARDO", "NONE"]),
    }


def _photoreal_v2(rng: random.Random) -> Body:
    return {
        "modelId": SDXL[0],
        "photoReal": True,
        "photoRealVersion": "v2",
        "alchemy": True,
        "presetStyle": rng.choice(PHOTOREAL_STYLES),
    }


def _lucid(rng: random.Random) -> Body:
    body: Body = {"modelId": LUCID_REALISM, "alchemy": False, "presetStyle": "NONE"}
    if rng.random() < 0.5:
        body["contrast"] = rng.choice(CONTRASTS)
    return body


RECIPES: dict[str, Callable[[random.Random], Body]] = {
    "phoenix": _phoenix,
    "flux": _flux,
    "sdxl-alchemy-off": _sdxl_alchemy_off,
    "photoreal-v2": _photoreal_v2,
    "lucid": _lucid,
}


def _controlnet(rng: random.Random) -> Body:
    """One guidance input of a kind the guides show, with a strength the rules accept."""
    image = {
        "initImageId": rng.choice(IMAGE_IDS),
        "initImageType": rng.choice(["UPLOADED", "GENERATED"]),
    }
    kind = rng.random()
    if kind < 0.35:  # Style Reference (SDXL 67, Phoenix 166)
        entry = {
            **image,
            "preprocessorId": rng.choice([67, 166]),
            "strengthType": rng.choice(["Low", "Mid", "High", "Ultra", "Max"]),
        }
        if rng.random() < 0.3:
            entry["influence"] = rng.choice([0.3, 0.5, 1.0])
        return entry
    if kind < 0.6:  # Character (133, 397) or Content (100, 364) Reference
        return {
            **image,
            "preprocessorId": rng.choice([133, 397, 100, 364]),
            "strengthType": rng.choice(["Low", "Mid", "High"]),
        }
    # Edge, Depth or Pose guidance takes a numeric weight
    return {
        **image,
        "preprocessorId": rng.choice([19, 20, 21]),
        "weight": rng.choice([0.3, 0.75, 1.0, 1.5]),
    }


def _optional_fields(rng: random.Random, body: Body) -> list[Callable[[], None]]:
    """Setters for optional fields, each leaving the body valid."""

    def size() -> None:
        body["width"], body["height"] = rng.choice(
            [(512, 512), (768, 768), (1024, 768), (832, 1216)]
        )
        if body["width"] > 768 or body["height"] > 768:
            body["num_images"] = min(body.get("num_images", 4), 4)

    def num_images() -> None:
        small = body.get("width", 1024) <= 768 and body.get("height", 768) <= 768
        body["num_images"] = rng.randint(1, 8 if small else 4)

    def steps() -> None:
        body["num_inference_steps"] = rng.choice([10, 15, 30, 45, 60])

    def elements() -> None:
        body["elements"] = [
            {"akUUID": f"element-{rng.randint(1, 999)}", "weight": rng.choice([0.5, 1, None])}
            for _ in range(rng.randint(1, 2))
        ]

    def user_elements() -> None:
        body["userElements"] = [{"userLoraId": rng.randint(1000, 99999), "weight": 0.8}]

    def init_image() -> None:
        body.update(
            init_image_id=rng.choice(IMAGE_IDS), init_strength=rng.choice([0.1, 0.3, 0.5, 0.9])
        )

    def enhance() -> None:
        body.update(enhancePrompt=True, enhancePromptInstruction="make it more dramatic")

    simple: dict[str, Callable[[], Any]] = {
        "negative_prompt": lambda: "blurry, low quality, extra fingers",
        "seed": lambda: rng.randint(0, 2147483637),
        "guidance_scale": lambda: rng.choice([3, 7, 7.5, 12, 20]),
        "public": lambda: rng.random() < 0.5,
        "tiling": lambda: False,
        "highResolution": lambda: rng.random() < 0.5,
        "transparency": lambda: "disabled",
        "scheduler": lambda: rng.choice(["LEONARDO", "EULER_DISCRETE", "DPM_SOLVER"]),
    }

    def setter(key: str, make: Callable[[], Any]) -> Callable[[], None]:
        return lambda: body.__setitem__(key, make())

    setters = [size, num_images, steps, elements, user_elements, init_image, enhance]
    return setters + [setter(key, make) for key, make in simple.items()]


def _mistakes() -> dict[str, Callable[[random.Random, Body], None]]:
    def first_controlnet(rng: random.Random, body: Body) -> Body:
        if not body.get("controlnets"):
            body["controlnets"] = [_controlnet(rng) for _ in range(rng.randint(1, 3))]
        entries: list[Body] = body["controlnets"]
        return entries[rng.randrange(len(entries))]

    def too_many_images(rng: random.Random, body: Body) -> None:
        body.update(width=1024, num_images=rng.choice([5, 6, 8]))

    def width_not_multiple_of_8(rng: random.Random, body: Body) -> None:
        body["width"] = rng.choice([1020, 900, 513])

    def misspelt_field(rng: random.Random, body: Body) -> None:
        body[rng.choice(["numImages", "negativePrompt", "guidanceScale"])] = 2

    def number_as_string(rng: random.Random, body: Body) -> None:
        body[rng.choice(["num_images", "seed", "num_inference_steps"])] = "4"

    def ultra_with_alchemy(rng: random.Random, body: Body) -> None:
        body.update(ultra=True, alchemy=True)

    def low_contrast_phoenix(rng: random.Random, body: Body) -> None:
        body.update(modelId=PHOENIX[0], contrast=1.8, alchemy=True)
        body.pop("sd_version", None)

    def controlnet_without_preprocessor(rng: random.Random, body: Body) -> None:
        first_controlnet(rng, body).pop("preprocessorId")

    def controlnet_weight_and_strength(rng: random.Random, body: Body) -> None:
        entry = first_controlnet(rng, body)
        entry.update(preprocessorId=67, strengthType="Mid", weight=0.8)

    def character_reference_max(rng: random.Random, body: Body) -> None:
        entry = first_controlnet(rng, body)
        entry.update(preprocessorId=133, strengthType="Max")
        entry.pop("weight", None)

    def controlnet_misspelt_key(rng: random.Random, body: Body) -> None:
        entry = first_controlnet(rng, body)
        entry["initImageID"] = entry.pop("initImageId")

    return {
        "too-many-images-for-size": too_many_images,
        "width-not-multiple-of-8": width_not_multiple_of_8,
        "misspelt-field": misspelt_field,
        "number-as-string": number_as_string,
        "ultra-with-alchemy": ultra_with_alchemy,
        "phoenix-low-contrast": low_contrast_phoenix,
        "controlnet-without-preprocessor": controlnet_without_preprocessor,
        "controlnet-weight-and-strength": controlnet_weight_and_strength,
        "character-reference-max": character_reference_max,
        "controlnet-misspelt-key": controlnet_misspelt_key,
    }


MISTAKES = _mistakes()


def generated_payloads(count: int = DEFAULT_GENERATED, seed: int = DEFAULT_SEED) -> list[Payload]:
    rng = random.Random(seed)
    recipes = sorted(RECIPES)
    mistakes = sorted(MISTAKES)
    payloads = []
    for index in range(count):
        recipe = rng.choice(recipes)
        body: Body = {"prompt": rng.choice(PROMPTS), **RECIPES[recipe](rng)}
        if rng.random() < CONTROLNET_SHARE:
            body["controlnets"] = [_controlnet(rng) for _ in range(rng.randint(1, 4))]
        setters = _optional_fields(rng, body)
        rng.shuffle(setters)
        target = rng.randint(5, 15)
        while len(body) < target and setters:
            setters.pop()()
        label = recipe
        valid = rng.random() >= INVALID_SHARE
        if not valid:
            mistake = rng.choice(mistakes)
            MISTAKES[mistake](rng, body)
            label = f"{recipe}+{mistake}"
        controlnets = len(body.get("controlnets") or [])
        payloads.append(Payload(f"generated/{index:04d}", body, valid, controlnets, label))
    return payloads


def example_payloads(folder: Path = EXAMPLES) -> list[Payload]:
    payloads = []
    for verdict in ("valid", "invalid"):
        for path in sorted((folder / verdict).glob("*.json")):
            body = json.loads(path.read_text(encoding="utf-8"))
            count = len(body.get("controlnets") or []) if isinstance(body, dict) else 0
            name = f"{verdict}/{path.stem}"
            payloads.append(Payload(name, body, verdict == "valid", count, "example"))
    return payloads


def payload_mix(generated: int = DEFAULT_GENERATED, seed: int = DEFAULT_SEED) -> list[Payload]:
    """Examples then generated bodies, shuffled once so valid and invalid interleave."""
    payloads = example_payloads() + generated_payloads(generated, seed)
    random.Random(seed).shuffle(payloads)
    return payloads
