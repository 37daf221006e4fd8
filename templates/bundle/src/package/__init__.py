"""__PROJECT__: the package the bundle builds into a wheel and its jobs run."""
