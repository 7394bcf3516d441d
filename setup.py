"""Builds the Swift engine for the wheel (see pyproject.toml).

setuptools' build_ext is given one extension, `_pyrometer`, and builds it with
`swift build` for the Python running the build: release, only the extension
module's product, the Swift runtime linked statically (-static-stdlib), stripped.
The engine needs FoundationEssentials and Glibc only, which keeps it near 14 MB
(5 MB compressed)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class SwiftExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class SwiftBuild(build_ext):
    def build_extension(self, ext):
        swift = shutil.which("swift")
        if swift is None:
            raise RuntimeError("building pyrometer needs the Swift toolchain (swift on PATH)")
        version = "%d.%d" % sys.version_info[:2]
        scratch = ROOT / f".build-wheel-{version}"
        env = dict(os.environ, PYTHON=sys.executable)
        subprocess.check_call([swift, "build", "-c", "release", "--product", "_pyrometer",
                               "-Xswiftc", "-static-stdlib", "--scratch-path", str(scratch)], cwd=ROOT, env=env)
        built = scratch / "release" / "lib_pyrometer.so"
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)
        strip = shutil.which("strip")
        if strip:
            subprocess.check_call([strip, "--strip-unneeded", str(target)])


setup(ext_modules=[SwiftExtension("_pyrometer")], cmdclass={"build_ext": SwiftBuild})
