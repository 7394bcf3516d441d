"""Every non-leak of this folder at once: caches warming up, a dict and a list
that resize once, a bounded cache whose strings gain a digit, temporaries and
free lists, cyclic garbage with a periodic gc.collect(). Nothing leaks."""
import digit_cache
import free_lists
import periodic_gc
import resize_once
import warming_caches


def handle():
    for module in (warming_caches, resize_once, digit_cache, free_lists, periodic_gc):
        module.handle()
