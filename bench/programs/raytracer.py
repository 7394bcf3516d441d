"""A small ray tracer: many small functions and methods, as real programs have.
Renders a scene of spheres to an in-memory image; prints a checksum, and on
stderr the seconds (BENCH_SECONDS) and the process's CPU seconds (BENCH_CPU) the
render took, measured inside the process."""
import math
import sys
import time


class Vec:
    __slots__ = ("x", "y", "z")

    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def add(self, other):
        return Vec(self.x + other.x, self.y + other.y, self.z + other.z)

    def sub(self, other):
        return Vec(self.x - other.x, self.y - other.y, self.z - other.z)

    def scale(self, k):
        return Vec(self.x * k, self.y * k, self.z * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y + self.z * other.z

    def norm(self):
        length = math.sqrt(self.dot(self))
        return self.scale(1.0 / length) if length else self

    def mul(self, other):
        return Vec(self.x * other.x, self.y * other.y, self.z * other.z)


class Ray:
    def __init__(self, origin, direction):
        self.origin = origin
        self.direction = direction.norm()

    def at(self, t):
        return self.origin.add(self.direction.scale(t))


class Sphere:
    def __init__(self, center, radius, color, reflect=0.0):
        self.center = center
        self.radius = radius
        self.color = color
        self.reflect = reflect

    def intersect(self, ray):
        oc = ray.origin.sub(self.center)
        b = oc.dot(ray.direction)
        c = oc.dot(oc) - self.radius * self.radius
        disc = b * b - c
        if disc < 0:
            return None
        root = math.sqrt(disc)
        t = -b - root
        if t < 1e-4:
            t = -b + root
        return t if t >= 1e-4 else None

    def normal(self, point):
        return point.sub(self.center).norm()


def closest_hit(scene, ray):
    best, nearest = None, float("inf")
    for sphere in scene:
        t = sphere.intersect(ray)
        if t is not None and t < nearest:
            best, nearest = sphere, t
    return best, nearest


def shade(scene, lights, ray, depth):
    sphere, t = closest_hit(scene, ray)
    if sphere is None:
        return Vec(0.2, 0.3, 0.5)
    point = ray.at(t)
    normal = sphere.normal(point)
    color = sphere.color.scale(0.1)
    for light in lights:
        to_light = light.sub(point).norm()
        shadow, _ = closest_hit(scene, Ray(point, to_light))
        if shadow is None:
            color = color.add(sphere.color.scale(max(0.0, normal.dot(to_light))))
    if sphere.reflect and depth < 3:
        bounce = ray.direction.sub(normal.scale(2 * ray.direction.dot(normal)))
        color = color.add(shade(scene, lights, Ray(point, bounce), depth + 1).scale(sphere.reflect))
    return color


def to_byte(value):
    return max(0, min(255, int(value * 255)))


def render(size):
    scene = [
        Sphere(Vec(0, -1000, 0), 999, Vec(0.8, 0.8, 0.8), 0.2),
        Sphere(Vec(0, 0, 5), 1, Vec(0.9, 0.2, 0.2), 0.3),
        Sphere(Vec(-2, 0, 6), 1, Vec(0.2, 0.9, 0.2)),
        Sphere(Vec(2, 0, 6), 1, Vec(0.2, 0.2, 0.9), 0.5),
    ]
    lights = [Vec(5, 5, -3), Vec(-5, 8, 0)]
    eye = Vec(0, 0.5, -1)
    pixels = []
    for j in range(size):
        for i in range(size):
            x = (i - size / 2) / size
            y = (size / 2 - j) / size
            color = shade(scene, lights, Ray(eye, Vec(x, y, 1)), 0)
            pixels.append((to_byte(color.x), to_byte(color.y), to_byte(color.z)))
    return pixels


def main(argv):
    size = int(argv[argv.index("--size") + 1]) if "--size" in argv else 80
    start, cpu = time.perf_counter(), time.process_time()
    pixels = render(size)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(sum(r + 2 * g + 3 * b for r, g, b in pixels))
    print(f"BENCH_SECONDS {elapsed:.6f}", file=sys.stderr)
    print(f"BENCH_CPU {cpu:.6f}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
