"""nn modules, one file per family (as torch.nn.modules)."""

from .activation import (
                         ELU,
                         GELU,
                         Dropout,
                         LeakyReLU,
                         LogSoftmax,
                         ReLU,
                         Sigmoid,
                         SiLU,
                         Softmax,
                         Softplus,
                         Tanh,
)
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .linear import Bilinear, Flatten, Identity, Linear, Unflatten
from .loss import (
                         BCELoss,
                         BCEWithLogitsLoss,
                         CrossEntropyLoss,
                         HuberLoss,
                         KLDivLoss,
                         L1Loss,
                         MSELoss,
                         NLLLoss,
                         SmoothL1Loss,
)
from .module import Module
from .normalization import BatchNorm1d, Embedding, LayerNorm

__all__ = ["BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "Bilinear", "Conv1d", "Conv2d", "CrossEntropyLoss",
           "Dropout", "ELU", "Embedding", "Flatten", "GELU", "HuberLoss", "Identity", "KLDivLoss", "L1Loss",
           "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "Module", "ModuleDict", "ModuleList",
           "NLLLoss", "ReLU", "SiLU", "Sequential", "Sigmoid", "SmoothL1Loss", "Softmax", "Softplus", "Tanh",
           "Unflatten"]
