"""Renderers: outcomes, drift reports and live lines, each format to a stream it is given
(DESIGN: check, result and report are separate steps). Private: the commands choose them."""
