"""Keras 3 pooling layers on poolkit's semantics (any Keras backend).

Drop-in for ``keras.layers.MaxPooling2D`` etc. on the configurations Keras accepts, plus
poolkit's padding spellings ("same_lower", ints, ``(lo, hi)`` pairs), dilation and ceil_mode.

>>> import numpy as np
>>> from poolkit.keras import MaxPooling2D
>>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
>>> np.asarray(MaxPooling2D(2)(x))[0, :, :, 0].tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""

from __future__ import annotations

from typing import Any

import keras

from poolkit._args import (
    check_bool,
    check_data_format,
    check_divisor_override,
    check_optional_bool,
    check_output_size,
    check_p,
    normalize_padding,
    to_tuple,
)
from poolkit.errors import PoolingError
from poolkit.geometry import resolve
from poolkit.keras import ops
from poolkit.ops import unpool_spatial_size

__all__ = [
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
    "AdaptiveMaxPooling3D",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "GlobalSumPooling1D",
    "GlobalSumPooling2D",
    "GlobalSumPooling3D",
    "LpPooling1D",
    "LpPooling2D",
    "LpPooling3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "MaxUnpooling1D",
    "MaxUnpooling2D",
    "MaxUnpooling3D",
    "SumPooling1D",
    "SumPooling2D",
    "SumPooling3D",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
]

_register = keras.saving.register_keras_serializable(package="poolkit")


def _data_format(value) -> str:
    return check_data_format(keras.config.image_data_format() if value is None else value)


def _plain_padding(padding, n: int):
    """The normalised padding in a JSON-friendly spelling (a string or lists of pairs)."""
    pad = normalize_padding(padding, n)
    return pad if isinstance(pad, str) else [list(pair) for pair in pad]


class _Base(keras.layers.Layer):
    rank: int = 0

    def _check_rank(self, input_shape) -> None:
        if len(input_shape) != self.rank + 2:
            raise PoolingError(
                f"{type(self).__name__} expects inputs of rank {self.rank + 2} "
                f"(batch, {self.rank} spatial dims, channels); got shape {tuple(input_shape)}"
            )

    def build(self, input_shape) -> None:
        self._check_rank(input_shape)

    def _split(self, input_shape):
        shape = tuple(input_shape)
        if self.data_format == "channels_last":
            return shape[0], shape[1:-1], shape[-1]
        return shape[0], shape[2:], shape[1]

    def _join(self, batch, spatial, channels):
        if self.data_format == "channels_last":
            return (batch, *spatial, channels)
        return (batch, channels, *spatial)


class _Pooling(_Base):
    """Window pooling: pool_size, strides, padding, dilation_rate, ceil_mode."""

    reducer = "max"

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: Any = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        ceil_mode: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        n = self.rank
        self.pool_size = to_tuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else to_tuple(strides, n, "strides")
        self.padding = _plain_padding(padding, n)
        self.data_format = _data_format(data_format)
        self.dilation_rate = to_tuple(dilation_rate, n, "dilation_rate")
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def _window(self, spatial):
        return resolve(
            tuple(spatial),
            self.pool_size,
            self.strides,
            self.padding,
            self.dilation_rate,
            self.ceil_mode,
        )

    def build(self, input_shape) -> None:
        self._check_rank(input_shape)
        _, spatial, _ = self._split(input_shape)
        if all(s is not None for s in spatial):
            self._window(spatial)  # PoolingError now, not in the first call

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        batch, spatial, channels = self._split(input_shape)
        out = []
        for i, length in enumerate(spatial):
            if length is None:
                out.append(None)
                continue
            window = resolve(
                (length,),
                self.pool_size[i],
                self.strides[i],
                self.padding if isinstance(self.padding, str) else [self.padding[i]],
                self.dilation_rate[i],
                self.ceil_mode,
            )
            out.append(window.output_shape[0])
        return self._join(batch, tuple(out), channels)

    def _args(self) -> dict[str, Any]:
        return dict(
            pool_size=self.pool_size,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
            ceil_mode=self.ceil_mode,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(self._args())
        return config


class _MaxPooling(_Pooling):
    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: Any = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        ceil_mode: bool = False,
        return_indices: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, padding, data_format, dilation_rate, ceil_mode, name=name, **kwargs
        )
        self.return_indices = check_bool(return_indices, "return_indices")

    def call(self, inputs):
        return ops.max_pool(inputs, return_indices=self.return_indices, **self._args())

    def compute_output_spec(self, inputs):
        shape = self.compute_output_shape(inputs.shape)
        values = keras.KerasTensor(shape, dtype=inputs.dtype)
        if self.return_indices:
            return values, keras.KerasTensor(shape, dtype="int64")
        return values

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "return_indices": self.return_indices}


class _AveragePooling(_Pooling):
    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: Any = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        ceil_mode: bool = False,
        count_include_pad: bool | None = None,
        divisor_override: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, padding, data_format, dilation_rate, ceil_mode, name=name, **kwargs
        )
        self.count_include_pad = check_optional_bool(count_include_pad, "count_include_pad")
        self.divisor_override = check_divisor_override(divisor_override)

    def call(self, inputs):
        return ops.average_pool(
            inputs,
            count_include_pad=self.count_include_pad,
            divisor_override=self.divisor_override,
            **self._args(),
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "count_include_pad": self.count_include_pad,
            "divisor_override": self.divisor_override,
        }


class _SumPooling(_Pooling):
    def call(self, inputs):
        return ops.sum_pool(inputs, **self._args())


class _LpPooling(_Pooling):
    def __init__(
        self,
        p: float = 2.0,
        pool_size: Any = 2,
        strides: Any = None,
        padding: Any = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        ceil_mode: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, padding, data_format, dilation_rate, ceil_mode, name=name, **kwargs
        )
        self.p = check_p(p)

    def call(self, inputs):
        return ops.lp_pool(inputs, self.p, **self._args())

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "p": self.p}


class _Global(_Base):
    reducer = "max"

    def __init__(
        self,
        data_format: str | None = None,
        keepdims: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.data_format = _data_format(data_format)
        self.keepdims = check_bool(keepdims, "keepdims")

    def call(self, inputs):
        fn = {
            "max": ops.global_max_pool,
            "avg": ops.global_average_pool,
            "sum": ops.global_sum_pool,
        }[self.reducer]
        return fn(inputs, keepdims=self.keepdims, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        batch, _, channels = self._split(input_shape)
        if self.keepdims:
            return self._join(batch, (1,) * self.rank, channels)
        return (batch, channels)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class _Adaptive(_Base):
    """PyTorch's adaptive bins: output cell i covers floor(i*L/O) .. ceil((i+1)*L/O)."""

    reducer = "max"

    def __init__(
        self,
        output_size: Any,
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        # None entries keep that dim's size, so they are resolved per input in call()
        check_output_size(output_size, (1,) * self.rank)
        single = not isinstance(output_size, (tuple, list))
        self.output_size = (output_size,) * self.rank if single else tuple(output_size)
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        fn = ops.adaptive_max_pool if self.reducer == "max" else ops.adaptive_average_pool
        return fn(inputs, self.output_size, self.data_format)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        batch, spatial, channels = self._split(input_shape)
        out = tuple(
            length if size is None else size
            for size, length in zip(self.output_size, spatial, strict=True)
        )
        return self._join(batch, out, channels)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(output_size=self.output_size, data_format=self.data_format)
        return config


class _MaxUnpooling(_Base):
    """Values back at the flat per-plane indices a ``return_indices=True`` max pool gave;
    every other position is 0. Called as ``layer(values, indices)`` or
    ``layer([values, indices])``."""

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: Any = "valid",
        output_size: Any = None,
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        n = self.rank
        self.pool_size = to_tuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else to_tuple(strides, n, "strides")
        self.padding = _plain_padding(padding, n)
        self.output_size = None if output_size is None else to_tuple(output_size, n, "output_size")
        self.data_format = _data_format(data_format)

    @staticmethod
    def _pair(inputs, indices):
        if indices is None:
            if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
                raise PoolingError(
                    "MaxUnpooling takes the pooled values and their indices: call it as "
                    "layer(values, indices) or layer([values, indices])"
                )
            return tuple(inputs)
        return inputs, indices

    def build(self, inputs_shape, indices_shape=None) -> None:
        values_shape, indices_shape = self._pair(inputs_shape, indices_shape)
        self._check_rank(values_shape)
        if tuple(values_shape) != tuple(indices_shape):
            raise PoolingError(
                f"{type(self).__name__}: indices must have the values' shape "
                f"{tuple(values_shape)}; got {tuple(indices_shape)}"
            )

    def call(self, inputs, indices=None):
        values, indices = self._pair(inputs, indices)
        return ops.max_unpool(
            values,
            indices,
            self.pool_size,
            self.strides,
            self.padding,
            self.output_size,
            self.data_format,
        )

    def compute_output_shape(self, inputs_shape, indices_shape=None):
        # the values' shape alone, or the (values, indices) pair of shapes
        pair = len(inputs_shape) == 2 and all(
            isinstance(s, (tuple, list)) for s in inputs_shape
        )
        values_shape = inputs_shape[0] if indices_shape is None and pair else inputs_shape
        self._check_rank(values_shape)
        batch, spatial, channels = self._split(values_shape)
        if self.output_size is not None:
            return self._join(batch, self.output_size, channels)
        out = tuple(
            None
            if length is None
            else unpool_spatial_size(
                (length,),
                1,
                self.pool_size[i],
                self.strides[i],
                self.padding if isinstance(self.padding, str) else [self.padding[i]],
                None,
            )[0]
            for i, length in enumerate(spatial)
        )
        return self._join(batch, out, channels)

    def compute_output_spec(self, inputs, indices=None):
        values, indices = self._pair(inputs, indices)
        shape = self.compute_output_shape(values.shape, indices.shape)
        return keras.KerasTensor(shape, dtype=values.dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            pool_size=self.pool_size,
            strides=self.strides,
            padding=self.padding,
            output_size=self.output_size,
            data_format=self.data_format,
        )
        return config


class _UpSampling(_Base):
    def __init__(
        self, size: Any = 2, data_format: str | None = None, name: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.size = to_tuple(size, self.rank, "size")
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        return ops.upsampling(inputs, self.size, self.data_format)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        batch, spatial, channels = self._split(input_shape)
        out = tuple(None if s is None else s * f for s, f in zip(spatial, self.size, strict=True))
        return self._join(batch, out, channels)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


@_register
class MaxPooling1D(_MaxPooling):
    """Max pooling over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 5, 4], "float32").reshape(1, 5, 1)
    >>> np.asarray(MaxPooling1D(2, ceil_mode=True)(x))[0, :, 0].tolist()
    [3.0, 5.0, 4.0]
    """

    rank = 1


@_register
class MaxPooling2D(_MaxPooling):
    """Max pooling over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 112, 112, 64), "float32")
    >>> tuple(MaxPooling2D(3, 2, padding=1, ceil_mode=True)(x).shape)
    (1, 57, 57, 64)
    """

    rank = 2


@_register
class MaxPooling3D(_MaxPooling):
    """Max pooling over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 9, 8, 7, 2), "float32")
    >>> tuple(MaxPooling3D(3, 2, padding="same_lower")(x).shape)
    (1, 5, 4, 4, 2)
    """

    rank = 3


@_register
class AveragePooling1D(_AveragePooling):
    """Average pooling over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 5, 4], "float32").reshape(1, 5, 1)
    >>> np.asarray(AveragePooling1D(2, 1, padding="same")(x))[0, :, 0].tolist()
    [2.0, 2.5, 3.5, 4.5, 4.0]
    """

    rank = 1


@_register
class AveragePooling2D(_AveragePooling):
    """Average pooling over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.full((1, 4, 4, 1), 9.0, "float32")
    >>> layer = AveragePooling2D(3, 2, padding=1, count_include_pad=True)
    >>> np.asarray(layer(x))[0, :, :, 0].tolist()
    [[4.0, 6.0], [6.0, 9.0]]
    """

    rank = 2


@_register
class AveragePooling3D(_AveragePooling):
    """Average pooling over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((2, 8, 8, 8, 3), "float32")
    >>> tuple(AveragePooling3D(2, dilation_rate=2)(x).shape)
    (2, 3, 3, 3, 3)
    """

    rank = 3


@_register
class SumPooling1D(_SumPooling):
    """Window-sum pooling over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 5, 4], "float32").reshape(1, 5, 1)
    >>> np.asarray(SumPooling1D(2)(x))[0, :, 0].tolist()
    [4.0, 7.0]
    """

    rank = 1


@_register
class SumPooling2D(_SumPooling):
    """Window-sum pooling over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.ones((1, 4, 4, 1), "float32")
    >>> np.asarray(SumPooling2D(3, 1, padding="same")(x))[0, 0, :, 0].tolist()
    [4.0, 6.0, 6.0, 4.0]
    """

    rank = 2


@_register
class SumPooling3D(_SumPooling):
    """Window-sum pooling over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 6, 6, 6, 4), "float32")
    >>> tuple(SumPooling3D((2, 3, 3), strides=3)(x).shape)
    (1, 2, 2, 2, 4)
    """

    rank = 3


@_register
class LpPooling1D(_LpPooling):
    """Power-average (Lp) pooling over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([3, 4, 6, 8], "float32").reshape(1, 4, 1)
    >>> np.asarray(LpPooling1D(2.0, 2)(x))[0, :, 0].tolist()
    [5.0, 10.0]
    """

    rank = 1


@_register
class LpPooling2D(_LpPooling):
    """Power-average (Lp) pooling over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 7, 7, 3), "float32")
    >>> tuple(LpPooling2D(3.0, 2, ceil_mode=True)(x).shape)
    (1, 4, 4, 3)
    """

    rank = 2


@_register
class LpPooling3D(_LpPooling):
    """Power-average (Lp) pooling over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 4, 4, 4, 2), "float32")
    >>> tuple(LpPooling3D(1.0, 2)(x).shape)
    (1, 2, 2, 2, 2)
    """

    rank = 3


@_register
class GlobalMaxPooling1D(_Global):
    """Max over all spatial positions over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 5, 4], "float32").reshape(1, 5, 1)
    >>> np.asarray(GlobalMaxPooling1D()(x)).tolist()
    [[5.0]]
    """

    rank = 1
    reducer = "max"


@_register
class GlobalMaxPooling2D(_Global):
    """Max over all spatial positions over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((2, 7, 7, 512), "float32")
    >>> tuple(GlobalMaxPooling2D(keepdims=True)(x).shape)
    (2, 1, 1, 512)
    """

    rank = 2
    reducer = "max"


@_register
class GlobalMaxPooling3D(_Global):
    """Max over all spatial positions over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((2, 4, 4, 4, 8), "float32")
    >>> tuple(GlobalMaxPooling3D()(x).shape)
    (2, 8)
    """

    rank = 3
    reducer = "max"


@_register
class GlobalAveragePooling1D(_Global):
    """Mean over all spatial positions over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 5, 4], "float32").reshape(1, 5, 1)
    >>> np.asarray(GlobalAveragePooling1D()(x)).tolist()
    [[3.0]]
    """

    rank = 1
    reducer = "avg"


@_register
class GlobalAveragePooling2D(_Global):
    """Mean over all spatial positions over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((2, 7, 7, 512), "float32")
    >>> tuple(GlobalAveragePooling2D()(x).shape)
    (2, 512)
    """

    rank = 2
    reducer = "avg"


@_register
class GlobalAveragePooling3D(_Global):
    """Mean over all spatial positions over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((2, 8, 4, 4, 4), "float32")
    >>> tuple(GlobalAveragePooling3D(data_format="channels_first")(x).shape)
    (2, 8)
    """

    rank = 3
    reducer = "avg"


@_register
class GlobalSumPooling1D(_Global):
    """Sum over all spatial positions over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 5, 4], "float32").reshape(1, 5, 1)
    >>> np.asarray(GlobalSumPooling1D()(x)).tolist()
    [[15.0]]
    """

    rank = 1
    reducer = "sum"


@_register
class GlobalSumPooling2D(_Global):
    """Sum over all spatial positions over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.ones((2, 3, 3, 4), "float32")
    >>> np.asarray(GlobalSumPooling2D()(x))[0].tolist()
    [9.0, 9.0, 9.0, 9.0]
    """

    rank = 2
    reducer = "sum"


@_register
class GlobalSumPooling3D(_Global):
    """Sum over all spatial positions over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((2, 4, 4, 4, 8), "float32")
    >>> tuple(GlobalSumPooling3D(keepdims=True)(x).shape)
    (2, 1, 1, 1, 8)
    """

    rank = 3
    reducer = "sum"


@_register
class UpSampling1D(_UpSampling):
    """Nearest-neighbour upsampling over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *(spatial*size), C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 2], "float32").reshape(1, 2, 1)
    >>> np.asarray(UpSampling1D(3)(x))[0, :, 0].tolist()
    [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    """

    rank = 1


@_register
class UpSampling2D(_UpSampling):
    """Nearest-neighbour upsampling over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *(spatial*size), C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 7, 7, 3), "float32")
    >>> tuple(UpSampling2D((2, 3))(x).shape)
    (1, 14, 21, 3)
    """

    rank = 2


@_register
class UpSampling3D(_UpSampling):
    """Nearest-neighbour upsampling over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *(spatial*size), C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 2, 3, 4, 1), "float32")
    >>> tuple(UpSampling3D(2)(x).shape)
    (1, 4, 6, 8, 1)
    """

    rank = 3


@_register
class AdaptiveMaxPooling1D(_Adaptive):
    """Max over PyTorch's adaptive bins over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 5, 4], "float32").reshape(1, 5, 1)
    >>> np.asarray(AdaptiveMaxPooling1D(3)(x))[0, :, 0].tolist()
    [3.0, 5.0, 5.0]
    """

    rank = 1
    reducer = "max"


@_register
class AdaptiveMaxPooling2D(_Adaptive):
    """Max over PyTorch's adaptive bins over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 7, 9, 3), "float32")
    >>> tuple(AdaptiveMaxPooling2D((3, None))(x).shape)
    (1, 3, 9, 3)
    """

    rank = 2
    reducer = "max"


@_register
class AdaptiveMaxPooling3D(_Adaptive):
    """Max over PyTorch's adaptive bins over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 5, 6, 7, 2), "float32")
    >>> tuple(AdaptiveMaxPooling3D(2)(x).shape)
    (1, 2, 2, 2, 2)
    """

    rank = 3
    reducer = "max"


@_register
class AdaptiveAveragePooling1D(_Adaptive):
    """Mean over PyTorch's adaptive bins over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 6, 4], "float32").reshape(1, 5, 1)
    >>> np.asarray(AdaptiveAveragePooling1D(2)(x))[0, :, 0].tolist()
    [2.0, 4.0]
    """

    rank = 1
    reducer = "avg"


@_register
class AdaptiveAveragePooling2D(_Adaptive):
    """Mean over PyTorch's adaptive bins over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 13, 13, 256), "float32")
    >>> tuple(AdaptiveAveragePooling2D(6)(x).shape)
    (1, 6, 6, 256)
    """

    rank = 2
    reducer = "avg"


@_register
class AdaptiveAveragePooling3D(_Adaptive):
    """Mean over PyTorch's adaptive bins over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 5, 6, 7, 2), "float32")
    >>> tuple(AdaptiveAveragePooling3D((1, 2, 3))(x).shape)
    (1, 1, 2, 3, 2)
    """

    rank = 3
    reducer = "avg"


@_register
class MaxUnpooling1D(_MaxUnpooling):
    """Max unpooling over 1 spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *unpooled, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.array([1, 3, 2, 5, 4], "float32").reshape(1, 5, 1)
    >>> values, indices = MaxPooling1D(2, return_indices=True)(x)
    >>> np.asarray(MaxUnpooling1D(2, output_size=5)(values, indices))[0, :, 0].tolist()
    [0.0, 3.0, 0.0, 5.0, 0.0]
    """

    rank = 1


@_register
class MaxUnpooling2D(_MaxUnpooling):
    """Max unpooling over 2 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *unpooled, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    >>> values, indices = MaxPooling2D(2, return_indices=True)(x)
    >>> np.asarray(MaxUnpooling2D(2)(values, indices))[0, :, :, 0].tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.0, 5.0, 0.0, 7.0], [0.0, 0.0, 0.0, 0.0], [0.0, 13.0, 0.0, 15.0]]
    """

    rank = 2


@_register
class MaxUnpooling3D(_MaxUnpooling):
    """Max unpooling over 3 spatial dims.

    Shape: ``(N, *spatial, C)`` -> ``(N, *unpooled, C)`` (channels_last).

    >>> import numpy as np
    >>> x = np.zeros((1, 4, 4, 4, 2), "float32")
    >>> values, indices = MaxPooling3D(2, return_indices=True)(x)
    >>> tuple(MaxUnpooling3D(2)(values, indices).shape)
    (1, 4, 4, 4, 2)
    """

    rank = 3
