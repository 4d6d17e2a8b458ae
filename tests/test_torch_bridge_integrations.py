"""ScheduleLR inside PyTorch Lightning (interval "step", checkpoint resume) and the HF Trainer."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import jaxsched
from jaxsched.compat import torch as tp
from torch_bridge import ScheduleLR

SCHEDULE = jaxsched.warmup_cosine_decay(0.0, 0.1, warmup_steps=3, decay_steps=12, end_value=1e-3)
MOMENTUM = tp.OneCycleLR(0.1, total_steps=12).momentum()


def _data(n: int = 16) -> torch.utils.data.TensorDataset:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, generator=g)
    return torch.utils.data.TensorDataset(x, x.sum(1, keepdim=True))


def test_lightning_interval_step_and_resume(tmp_path: Path) -> None:
    L = pytest.importorskip("lightning.pytorch", reason="lightning is an optional integration")
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)

    base: Any = L.LightningModule

    class Model(base):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(3, 1)
            self.seen: list[tuple[float, float]] = []

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def on_before_optimizer_step(self, optimizer: Any) -> None:
            g = optimizer.param_groups[0]
            self.seen.append((g["lr"], g["momentum"]))

        def configure_optimizers(self) -> Any:
            opt = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
            return [opt], [
                {"scheduler": ScheduleLR(opt, SCHEDULE), "interval": "step"},
                {"scheduler": ScheduleLR(opt, MOMENTUM, field="momentum"), "interval": "step"},
            ]

    def trainer(steps: int) -> Any:
        return L.Trainer(
            max_steps=steps,
            accelerator="cpu",
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )

    loader = torch.utils.data.DataLoader(_data(), batch_size=4)  # 4 batches per epoch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Lightning's advice about dataloader workers
        model = Model()
        t = trainer(6)
        t.fit(model, loader)
        ckpt = tmp_path / "six.ckpt"
        t.save_checkpoint(ckpt)
        resumed = Model()
        trainer(12).fit(resumed, loader, ckpt_path=str(ckpt))
    k = np.arange(12)
    seen = np.array(model.seen + resumed.seen)
    np.testing.assert_array_equal(seen[:, 0], SCHEDULE.numpy(k))
    np.testing.assert_array_equal(seen[:, 1], MOMENTUM.numpy(k))


def test_hf_trainer_optimizers_tuple(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers", reason="transformers is an optional integration")
    pytest.importorskip("accelerate", reason="the HF Trainer needs accelerate")
    transformers.logging.set_verbosity_error()

    class Tiny(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(3, 1)

        def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
            return {"loss": torch.nn.functional.mse_loss(self.layer(x), labels)}

    class Rows(torch.utils.data.Dataset):
        def __init__(self) -> None:
            self.data = _data()

        def __len__(self) -> int:
            return len(self.data)

        def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
            x, y = self.data[i]
            return {"x": x, "labels": y}

    seen: list[float] = []

    callback: Any = transformers.TrainerCallback

    class Record(callback):
        def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            seen.append(kw["optimizer"].param_groups[0]["lr"])

    model = Tiny()
    opt = torch.optim.AdamW(model.parameters(), lr=0.1)
    sched = ScheduleLR(opt, SCHEDULE)
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path),
        max_steps=8,
        per_device_train_batch_size=4,
        logging_steps=1,
        report_to=[],
        save_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = transformers.Trainer(
        model=model, args=args, train_dataset=Rows(), optimizers=(opt, sched), callbacks=[Record()]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.train()
    k = np.arange(8)
    np.testing.assert_array_equal(seen, SCHEDULE.numpy(k))
    logged = [h["learning_rate"] for h in trainer.state.log_history if "learning_rate" in h]
    # HF (5.x) logs the LR of the update just made, read from get_last_lr() before the scheduler steps.
    np.testing.assert_allclose(logged, SCHEDULE.numpy(k), rtol=1e-12)
