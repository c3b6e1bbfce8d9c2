"""Seeded mixes of request bodies, one kind of traffic each, for the validator benchmarks.

    from mixes import MIXES, draw_mix, draw_mixes   # with bench/ on sys.path
    bodies = draw_mix("app", seed=1234, count=200)  # a list of fresh dicts
    every = draw_mixes(seed=1234, count=200)        # {name: bodies} for every name in MIXES

The values come from the spec (`spec/generation-request.schema.json`: enums, ranges, defaults,
required members, the rules' documented steps) and from the reference facts
(`../shared/reference/leonardo-api-facts.md`: model ids, preprocessor ids per base model, what
the SDKs send, the mistakes users were seen making). Nothing here is chosen for what a validator
is fast at; a different seed gives a different draw, so no single draw can be tuned to.

- minimal: prompt plus 1-3 other fields.
- sdk: what Leonardo's SDKs send: every spec default filled in, plus 0-3 fields the caller set.
- app: ordinary app bodies, 8-14 fields: prompt, modelId, width, height, num_images, alchemy
  (true, false or null), presetStyle, guidance_scale, negative_prompt, seed (up to 2**31), then
  others; one in five with one controlnet, one in seven asking for 8 images, one in eleven with a
  width that is not a multiple of 8.
- guidance: controlnet- and elements-heavy, 1-4 controlnets and 1-4 elements each (userElements
  in one of three), preprocessors of the model's base family.
- invalid: every body invalid, with exactly one realistic mistake (MISTAKES) applied to a drawn
  body the oracle accepts.
- advice: accepted bodies with at least one advice finding (x-advice), one of ADVICE_TRIGGERS
  applied to an accepted draw (many draws of the other mixes have advice findings too).
- examples: the official samples and curated examples (spec/examples: official, valid,
  invalid), seed-shuffled, cycled or cut to `count`.

The `invalid` and `advice` mixes are filtered through python-jsonschema (the oracle; the x-advice
entries applied as schemas of their own), never through the code being measured. The other
mixes are drawn as they come: their valid/invalid split is whatever the draw gives.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ADVICE_TRIGGERS", "MISTAKES", "MIXES", "draw_mix", "draw_mixes", "example_bodies"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "spec" / "generation-request.schema.json"
EXAMPLES = ROOT / "spec" / "examples"
MIXES: tuple[str, ...] = ("minimal", "sdk", "app", "guidance", "invalid", "advice", "examples")
MAX_TRIES = 200  # draws per body kept in a filtered mix before giving up

Body = dict[str, Any]

# Reference facts, section 2.11 (docs.leonardo.ai legacy-generation model table): id per model,
# with the base family the preprocessor table below is keyed by.
MODELS: dict[str, tuple[str, str]] = {
    "Phoenix 1.0": ("de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3", "phoenix"),
    "Phoenix 0.9": ("6b645e3a-d64f-4341-a6d8-7a3690fbf042", "phoenix"),
    "Flux Dev": ("b2614463-296c-462a-9586-aafdb8f00e36", "flux-dev"),
    "Flux Schnell": ("1dd50843-d653-4516-a8e3-f0238ee453ff", "flux-schnell"),
    "Lucid Realism": ("05ce0082-2d80-4a2d-8653-4d1c85e2418e", "lucid"),
    "Lightning XL": ("b24e16ff-06e3-43eb-8d33-4416c2d75876", "sdxl"),
    "Anime XL": ("e71a1c2f-4f80-4800-934f-2c68979d8cc8", "sdxl"),
    "SDXL 1.0": ("16e7060a-803e-4df3-97ee-edcfa5dc9cc8", "sdxl"),
    "Kino XL": ("aa77f04e-3eec-4034-9c07-d0f619684628", "sdxl"),
    "Vision XL": ("5c232a9e-9061-4777-980a-ddc8e65647c6", "sdxl"),
    "Diffusion XL": ("1e60896f-3c26-4296-8ecc-53e2afecc132", "sdxl"),
    "AlbedoBase XL": ("2067ae52-33fd-4a82-bb92-c2c55e7d2786", "sdxl"),
    "Leonardo Creative": ("6bef9f1b-29cb-40c7-b9df-32b51c1f67d3", "sd21"),
}

# Reference facts, section 2.8 (Image Guidance guide, model guides): preprocessor ids per base
# family, by how their strength is given (a named strengthType, or a numeric weight).
STYLE_REFERENCE = {"sdxl": 67, "phoenix": 166, "flux-schnell": 298, "flux-dev": 299, "lucid": 431}
CHARACTER_REFERENCE = {"sdxl": 133, "phoenix": 397}
CONTENT_REFERENCE = {
    "sdxl": 100,
    "phoenix": 364,
    "flux-schnell": 232,
    "flux-dev": 233,
    "lucid": 430,
}
WEIGHTED = {"sdxl": [19, 20, 21, 22], "sd21": [12, 13, 16, 17, 18, 15]}  # edge, depth, pose, ...

PROMPTS = [
    "A lighthouse on a cliff at dusk, oil painting, warm light",
    "Portrait of an elderly fisherman, weathered skin, dramatic rim light",
    "Isometric cozy library with floating books, soft pastel palette",
    "A red fox in fresh snow, telephoto, shallow depth of field",
    "Neon-lit street market in the rain, cinematic, 35mm",
    "an orange cat standing on a blue basketball with the text PAWS",
    "Product shot of a ceramic mug on a wooden table, morning light, minimalist",
]
NEGATIVE_PROMPTS = ["blurry, low quality", "extra fingers, deformed hands", "text, watermark"]
IMAGE_IDS = ["9d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a", "06c4d15c-0d32-42b3-bec2-4e1d685d229f"]
SIZE_STEP = 64  # apps offer sizes in steps of 64 (Leonardo's web UI and guides), within the spec


@functools.cache
def _schema() -> Body:
    loaded: Body = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return loaded


def _member(name: str) -> Body:
    member: Body = _schema()["properties"][name]
    return member


def _item(definition: str) -> Body:
    item: Body = _schema()["$defs"][definition]
    return item


def _choices(schema: Body) -> list[Any]:
    """The non-null values of an enum."""
    return [value for value in schema.get("enum", []) if value is not None]


def _rule(rule_id: str) -> Body:
    """The allOf or x-advice entry carrying the x-rule `rule_id`."""
    for entry in [*_schema().get("allOf", []), *_schema().get("x-advice", [])]:
        if entry.get("x-rule", {}).get("id") == rule_id:
            found: Body = entry
            return found
    raise KeyError(rule_id)


def _documented_contrasts() -> list[float]:
    """The documented contrast steps (advice contrast-documented-values)."""
    return list(_rule("contrast-documented-values")["then"]["properties"]["contrast"]["enum"])


def _size(rng: random.Random, name: str) -> int:
    member = _member(name)
    low = max(int(member["minimum"]), 512)
    return rng.randrange(
        math.ceil(low / SIZE_STEP) * SIZE_STEP, int(member["maximum"]) + 1, SIZE_STEP
    )


def _model(rng: random.Random) -> tuple[str, str]:
    return rng.choice(list(MODELS.values()))


def _family(body: Body) -> str:
    for model_id, family in MODELS.values():
        if body.get("modelId") == model_id:
            return family
    return "sdxl"  # the default model, Lightning XL


def _contrast_for(rng: random.Random, body: Body) -> None:
    if _family(body) in ("phoenix", "flux-dev", "flux-schnell") and rng.random() < 0.8:
        body["contrast"] = rng.choice([c for c in _documented_contrasts() if c >= 2.5])


def _value(rng: random.Random, name: str, body: Body) -> Any:
    """A value an app would send for member `name` (range and enum from the spec)."""
    member = _member(name)
    if name in ("width", "height"):
        return _size(rng, name)
    if name == "num_images":
        return rng.randint(int(member["minimum"]), 4)
    if name == "alchemy":
        return rng.choice([True, False, None])
    if name == "guidance_scale":
        return rng.choice([7, 7.5, rng.randint(int(member["minimum"]), 20)])
    if name == "seed":
        return rng.randint(0, 2**31)
    if name == "negative_prompt":
        return rng.choice(NEGATIVE_PROMPTS)
    if name == "num_inference_steps":
        return rng.randint(int(member["minimum"]), int(member["maximum"]))
    if name == "init_strength":
        return round(rng.uniform(0.1, member["maximum"]), 2)
    if name in ("init_image_id", "init_generation_image_id"):
        return rng.choice(IMAGE_IDS)
    if name == "contrast":
        return rng.choice(_documented_contrasts())
    if "enum" in member:
        return rng.choice(_choices(member))
    kinds = member["type"] if isinstance(member["type"], list) else [member["type"]]
    if "boolean" in kinds:
        return rng.random() < 0.5
    raise ValueError(f"no value drawn for {name}")


APP_FIELDS = [
    "width",
    "height",
    "num_images",
    "alchemy",
    "presetStyle",
    "guidance_scale",
    "negative_prompt",
    "seed",
]
EXTRA_FIELDS = [
    "num_inference_steps",
    "scheduler",
    "public",
    "tiling",
    "highResolution",
    "enhancePrompt",
    "photoRealStrength",
    "transparency",
    "init_image_id",
    "init_strength",
    "expandedDomain",
]


def _fill(rng: random.Random, body: Body, names: list[str], target: int) -> None:
    for name in names:
        if len(body) >= target:
            return
        if name not in body:
            body[name] = _value(rng, name, body)


def _controlnet(rng: random.Random, family: str) -> Body:
    """One guidance input with a preprocessor of the model's base family."""
    entry: Body = {
        "initImageId": rng.choice(IMAGE_IDS),
        "initImageType": rng.choice(
            _choices(_item("controlnetInput")["properties"]["initImageType"])
        ),
    }
    strengths = _choices(_item("controlnetInput")["properties"]["strengthType"])
    kinds = [
        k
        for k, table in (
            ("style", STYLE_REFERENCE),
            ("character", CHARACTER_REFERENCE),
            ("content", CONTENT_REFERENCE),
        )
        if family in table
    ]
    if family in WEIGHTED:
        kinds.append("weighted")
    kind = rng.choice(kinds or ["weighted"])
    if kind == "weighted":
        entry["preprocessorId"] = rng.choice(WEIGHTED.get(family, WEIGHTED["sdxl"]))
        entry["weight"] = rng.choice([0.3, 0.5, 0.75, 1, 1.5])
        return entry
    table = {
        "style": STYLE_REFERENCE,
        "character": CHARACTER_REFERENCE,
        "content": CONTENT_REFERENCE,
    }
    entry["preprocessorId"] = table[kind][family]
    # Character and Content Reference take Low, Mid and High (advice above that)
    entry["strengthType"] = rng.choice(strengths if kind == "style" else strengths[:3])
    if kind == "style" and rng.random() < 0.3:
        entry["influence"] = rng.choice([0.3, 0.5, 1.0])
    return entry


def _element(rng: random.Random) -> Body:
    element: Body = {"akUUID": f"{rng.getrandbits(32):08x}-element"}
    if rng.random() < 0.7:
        element["weight"] = rng.choice([0.5, 0.8, 1, None])
    return element


def _minimal(rng: random.Random) -> Body:
    body: Body = {"prompt": rng.choice(PROMPTS)}
    extra = rng.randint(1, 3)
    names = ["modelId", "width", "num_images", "alchemy", "presetStyle", "negative_prompt", "seed"]
    for name in rng.sample(names, extra):
        body[name] = _model(rng)[0] if name == "modelId" else _value(rng, name, body)
    return body


def _sdk(rng: random.Random) -> Body:
    """Every spec default, as the SDKs serialise them, then what the caller set."""
    properties = _schema()["properties"]
    body: Body = {"prompt": rng.choice(PROMPTS)}
    body |= {name: member["default"] for name, member in properties.items() if "default" in member}
    for name in rng.sample(
        [
            "modelId",
            "negative_prompt",
            "seed",
            "guidance_scale",
            "width",
            "num_inference_steps",
            "elements",
        ],
        rng.randint(0, 3),
    ):
        if name == "modelId":
            body["modelId"] = _model(rng)[0]
            _contrast_for(rng, body)
        elif name == "elements":  # the SDKs fill in each element's default weight too
            weight = _item("elementInput")["properties"]["weight"]["default"]
            body["elements"] = [{**_element(rng), "weight": weight}]
        else:
            body[name] = _value(rng, name, body)
    return body


def _app(rng: random.Random) -> Body:
    model_id, _ = _model(rng)
    body: Body = {"prompt": rng.choice(PROMPTS), "modelId": model_id}
    _contrast_for(rng, body)
    target = rng.randint(8, 14)
    _fill(rng, body, APP_FIELDS, target)
    _fill(rng, body, rng.sample(EXTRA_FIELDS, len(EXTRA_FIELDS)), target)
    if rng.random() < 1 / 5:
        if len(body) == 14:  # the controlnet is one of the 8-14 fields
            body.popitem()
        body["controlnets"] = [_controlnet(rng, _family(body))]
    if rng.random() < 1 / 7:
        body["num_images"] = 8
    if rng.random() < 1 / 11:
        body["width"] = _size(rng, "width") - rng.randint(1, 7)
    return body


def _guidance(rng: random.Random) -> Body:
    model_id, family = _model(rng)
    body: Body = {"prompt": rng.choice(PROMPTS), "modelId": model_id}
    _contrast_for(rng, body)
    _fill(rng, body, rng.sample(APP_FIELDS, len(APP_FIELDS)), rng.randint(4, 9))
    body["controlnets"] = [_controlnet(rng, family) for _ in range(rng.randint(1, 4))]
    body["elements"] = [_element(rng) for _ in range(rng.randint(1, 4))]
    if rng.random() < 1 / 3:
        body["userElements"] = [
            {"userLoraId": rng.randint(1000, 99999), "weight": rng.choice([0.5, 0.8, 1])}
            for _ in range(rng.randint(1, 4))
        ]
    return body


SHAPES: dict[str, Callable[[random.Random], Body]] = {
    "minimal": _minimal,
    "sdk": _sdk,
    "app": _app,
    "guidance": _guidance,
}


# --- one realistic mistake (reference facts: server replies and users' reported errors) -------
# Each returns False when it does not apply to the body (the draw then tries another).


def _numbers(body: Body) -> list[str]:
    properties = _schema()["properties"]
    return [
        name
        for name, value in body.items()
        if name in properties and isinstance(value, int | float) and not isinstance(value, bool)
    ]


def _number_as_string(rng: random.Random, body: Body) -> bool:
    """The server does not coerce ("expected a 32-bit integer ... but found a string")."""
    names = _numbers(body)
    if not names:
        return False
    name = rng.choice(names)
    body[name] = str(body[name])
    return True


def _out_of_range(rng: random.Random, body: Body) -> bool:
    bounded = [n for n in _numbers(body) if {"minimum", "maximum"} & set(_member(n))]
    if not bounded:
        return False
    name = rng.choice(bounded)
    member = _member(name)
    if "maximum" in member and (rng.random() < 0.5 or "minimum" not in member):
        over = member["maximum"] + (member.get("multipleOf") or 1)
        body[name] = int(over) if isinstance(body[name], int) else over + 0.5
    else:
        body[name] = member["minimum"] - (member.get("multipleOf") or 1)
    return True


def _enum_case(rng: random.Random, body: Body) -> bool:
    """An enum value in the wrong case (sd_Version-style slips)."""
    names = [
        n
        for n in body
        if n in _schema()["properties"]
        and isinstance(body[n], str)
        and _choices(_member(n))
        and body[n].lower() != body[n]
    ]
    if not names:
        return False
    name = rng.choice(names)
    body[name] = body[name].lower()
    return True


def _camel_case_key(rng: random.Random, body: Body) -> bool:
    """Old SDKs sent camelCase ("Unexpected variable numImages")."""
    names = [n for n in body if "_" in n and n in _schema()["properties"]]
    if not names:
        return False
    name = rng.choice(names)
    head, *rest = name.split("_")
    body[head + "".join(part.title() for part in rest)] = body.pop(name)
    return True


def _width_not_multiple(rng: random.Random, body: Body) -> bool:
    body["width"] = _size(rng, "width") - rng.randint(1, 7)
    return True


def _too_many_images(rng: random.Random, body: Body) -> bool:
    body["num_images"] = rng.randint(5, int(_member("num_images")["maximum"]))
    body["width"] = rng.choice([w for w in range(832, 1537, SIZE_STEP)])
    return True


def _ultra_with_alchemy(rng: random.Random, body: Body) -> bool:
    body["ultra"] = True
    if body.get("alchemy") is False:
        body["alchemy"] = rng.choice([True, None])
    return True


def _low_contrast(rng: random.Random, body: Body) -> bool:
    if _family(body) not in ("phoenix", "flux-dev", "flux-schnell") or body.get("alchemy") is False:
        return False
    body["contrast"] = rng.choice([c for c in _documented_contrasts() if c < 2.5])
    return True


def _prompt_too_long(rng: random.Random, body: Body) -> bool:
    limit = int(_member("prompt")["maxLength"])
    body["prompt"] = (body["prompt"] + ", ") * (limit // len(body["prompt"]) + 1)
    return True


def _prompt_missing(rng: random.Random, body: Body) -> bool:
    if rng.random() < 0.5:
        body.pop("prompt")
    else:
        body["prompt"] = None
    return True


def _controlnet_missing_key(rng: random.Random, body: Body) -> bool:
    entries = body.get("controlnets")
    if not isinstance(entries, list) or not entries:
        body["controlnets"] = entries = [_controlnet(rng, _family(body))]
    entry = rng.choice(entries)
    entry.pop(rng.choice(_item("controlnetInput")["required"]))
    return True


def _strength_on_weighted(rng: random.Random, body: Body) -> bool:
    """strengthType on an Edge/Depth/Pose input (rule strength-type-reference-only)."""
    entry = _controlnet(rng, "sdxl")
    entry.update(preprocessorId=rng.choice(WEIGHTED["sdxl"]), strengthType="Mid")
    entry.pop("weight", None)
    if not isinstance(body.get("controlnets"), list):
        body["controlnets"] = []
    body["controlnets"].append(entry)
    return True


def _element_without_id(rng: random.Random, body: Body) -> bool:
    body.setdefault("elements", None)
    if not body["elements"]:
        body["elements"] = [_element(rng)]
    rng.choice(body["elements"]).pop("akUUID")
    return True


MISTAKES: dict[str, Callable[[random.Random, Body], bool]] = {
    "number-as-string": _number_as_string,
    "out-of-range": _out_of_range,
    "enum-case": _enum_case,
    "camel-case-key": _camel_case_key,
    "width-not-multiple-of-8": _width_not_multiple,
    "too-many-images-for-size": _too_many_images,
    "ultra-with-alchemy": _ultra_with_alchemy,
    "phoenix-flux-low-contrast": _low_contrast,
    "prompt-too-long": _prompt_too_long,
    "prompt-missing-or-null": _prompt_missing,
    "controlnet-missing-required": _controlnet_missing_key,
    "strength-type-on-weighted-controlnet": _strength_on_weighted,
    "element-without-akuuid": _element_without_id,
}


# --- advice triggers: accepted by the API, warned about (x-advice) ------------------------------


def _set(
    name: str, make: Callable[[random.Random, Body], Any]
) -> Callable[[random.Random, Body], bool]:
    def trigger(rng: random.Random, body: Body) -> bool:
        body[name] = make(rng, body)
        return True

    return trigger


def _guidance_over_20(rng: random.Random, body: Body) -> bool:
    body["guidance_scale"] = rng.choice([21, 25, 28.5, _member("guidance_scale")["maximum"]])
    return True


def _undocumented_contrast(rng: random.Random, body: Body) -> bool:
    body["contrast"] = rng.choice([2.7, 3.2, 4.2])
    return True


def _low_init_strength(rng: random.Random, body: Body) -> bool:
    body.update(init_image_id=rng.choice(IMAGE_IDS), init_strength=rng.choice([0, 0.05]))
    return True


def _style_mismatch(rng: random.Random, body: Body) -> bool:
    body.pop("styleUUID", None)
    body.update(alchemy=False, presetStyle=rng.choice(["DYNAMIC", "ANIME", "CINEMATIC"]))
    return True


def _lucid_alchemy_on(rng: random.Random, body: Body) -> bool:
    body.update(modelId=MODELS["Lucid Realism"][0], alchemy=rng.choice([True, None]))
    return True


def _phoenix_without_contrast(rng: random.Random, body: Body) -> bool:
    body["modelId"] = MODELS[rng.choice(["Phoenix 1.0", "Flux Dev"])][0]
    body.pop("contrast", None)
    return True


def _weight_and_strength(rng: random.Random, body: Body) -> bool:
    entry = _controlnet(rng, "sdxl")
    entry.update(preprocessorId=STYLE_REFERENCE["sdxl"], strengthType="Mid", weight=0.8)
    body["controlnets"] = [*(body.get("controlnets") or []), entry]
    return True


ADVICE_TRIGGERS: dict[str, Callable[[random.Random, Body], bool]] = {
    "guidance-scale-over-20": _guidance_over_20,
    "undocumented-contrast-step": _undocumented_contrast,
    "init-strength-below-0.1": _low_init_strength,
    "preset-style-for-alchemy-on-with-alchemy-off": _style_mismatch,
    "lucid-with-alchemy-on": _lucid_alchemy_on,
    "phoenix-or-flux-without-contrast": _phoenix_without_contrast,
    "controlnet-weight-and-strength-type": _weight_and_strength,
    "prompt-magic-version-alone": _set(
        "promptMagicVersion", lambda rng, b: rng.choice(["v2", "v3"])
    ),
    "enhance-instruction-alone": _set("enhancePromptInstruction", lambda rng, b: "more dramatic"),
    "scheduler-null": _set("scheduler", lambda rng, b: None),
    "is-init-image": _set("isInitImage", lambda rng, b: True),
}


# --- the oracle (python-jsonschema), for the filtered mixes -------------------------------------


@functools.cache
def _oracle() -> tuple[Any, list[Any]]:
    import jsonschema

    from genspec.spec import advice_schemas

    schema = _schema()
    advice = [jsonschema.Draft202012Validator(entry) for entry in advice_schemas(schema)]
    return jsonschema.Draft202012Validator(schema), advice


def _accepted(body: Body) -> bool:
    return bool(_oracle()[0].is_valid(body))


def _advised(body: Body) -> bool:
    return any(not advice.is_valid(body) for advice in _oracle()[1])


def _filtered(
    rng: random.Random,
    count: int,
    change: dict[str, Callable[[random.Random, Body], bool]],
    keep: Callable[[Body], bool],
) -> list[Body]:
    """`count` bodies: an accepted draw of a random shape, one change applied, kept by `keep`."""
    names = sorted(change)
    bodies: list[Body] = []
    for _ in range(count * MAX_TRIES):
        if len(bodies) == count:
            return bodies
        base = SHAPES[rng.choice(sorted(SHAPES))](rng)
        if not _accepted(base):
            continue
        body = copy.deepcopy(base)
        if change[rng.choice(names)](rng, body) and keep(body):
            bodies.append(body)
    raise RuntimeError(f"could not draw {count} bodies in {count * MAX_TRIES} tries")


def example_bodies() -> list[Body]:
    """Every body of spec/examples/official, valid and invalid, in file order."""
    bodies = []
    for folder in ("official", "valid", "invalid"):
        for path in sorted((EXAMPLES / folder).glob("*.json")):
            bodies.append(json.loads(path.read_text(encoding="utf-8")))
    return bodies


def draw_mix(name: str, seed: int, count: int) -> list[Body]:
    """`count` fresh bodies of mix `name` (one of MIXES), the same for the same seed."""
    rng = random.Random(f"{name}:{seed}")
    if name in SHAPES:
        return [SHAPES[name](rng) for _ in range(count)]
    if name == "invalid":
        return _filtered(rng, count, MISTAKES, lambda body: not _accepted(body))
    if name == "advice":
        return _filtered(
            rng, count, ADVICE_TRIGGERS, lambda body: _accepted(body) and _advised(body)
        )
    if name == "examples":
        files = example_bodies()
        rng.shuffle(files)
        return [copy.deepcopy(files[index % len(files)]) for index in range(count)]
    raise ValueError(f"unknown mix {name!r}; the mixes are {', '.join(MIXES)}")


def draw_mixes(seed: int, count: int) -> dict[str, list[Body]]:
    """Every mix, in MIXES order."""
    return {name: draw_mix(name, seed, count) for name in MIXES}
