"""Interpreters of the kernel algebra: each turns a description (:mod:`symkernel.algebra`) into one kind of
object. Nothing here knows about architectures."""
