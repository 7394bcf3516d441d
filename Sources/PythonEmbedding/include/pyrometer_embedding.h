// intentionally empty: this target carries only linker settings
