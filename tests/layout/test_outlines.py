"""Glyph outlines in the form the PNG painter traces: cubic curves that draw the font's own quadratics."""

from widget.layout.fonts import Script, Weight, font_face, raised_to_cubic

Point = tuple[float, ...]


def quadratic_at(start: Point, control: Point, end: Point, t: float) -> Point:
    return tuple((1 - t) ** 2 * s + 2 * (1 - t) * t * c + t**2 * e for s, c, e in zip(start, control, end, strict=True))


def cubic_at(points: list[Point], t: float) -> Point:
    start, first, second, end = points
    return tuple(
        (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * d
        for a, b, c, d in zip(start, first, second, end, strict=True)
    )


def test_every_quadratic_of_a_glyph_becomes_a_cubic_through_the_same_points():
    face = font_face(Script.TIFINAGH, Weight.REGULAR)
    glyph_id = face.font.get_nominal_glyph(ord("ⵣ"))
    quadratic, cubic = face.outline(glyph_id), face.cubic_outline(glyph_id)
    assert len(quadratic) == len(cubic) and any(command == "Q" for command, _ in quadratic)
    pen: Point = (0.0, 0.0)
    start = pen
    for (command, coordinates), (raised, raised_coordinates) in zip(quadratic, cubic, strict=True):
        assert raised == ("C" if command == "Q" else command)
        if command == "Q":
            control, end = coordinates[:2], coordinates[2:]
            points = [pen, raised_coordinates[:2], raised_coordinates[2:4], raised_coordinates[4:]]
            for t in (0.1, 0.25, 0.5, 0.9):
                drawn, exact = cubic_at(points, t), quadratic_at(pen, control, end, t)
                assert all(abs(a - b) < 1e-6 for a, b in zip(drawn, exact, strict=True)), (t, drawn, exact)
        else:
            assert raised_coordinates == coordinates
        if command == "Z":
            pen = start
        else:
            pen = coordinates[-2:]
            if command == "M":
                start = pen


def test_a_closed_contour_starts_the_next_curve_from_where_it_began():
    square_then_curve = (
        ("M", (0.0, 0.0)),
        ("L", (10.0, 0.0)),
        ("Z", ()),
        ("Q", (3.0, 9.0, 6.0, 0.0)),
    )
    *_, (command, coordinates) = raised_to_cubic(square_then_curve)
    assert command == "C" and coordinates == (2.0, 6.0, 4.0, 6.0, 6.0, 0.0)
