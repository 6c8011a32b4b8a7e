"""Each process's own slice of a data set, for data-parallel training (distributed.py).

    train = distributed.scatter(comm, load_dataset, seed)     # this process's slice
"""
import numpy
from chainer.datasets import TupleDataset


def scatter(comm, load_dataset, seed):
    """load_dataset() without a communicator. With one, process 0 loads it and sends each
    process its own random slice, of equal length (the last one wraps round to the start):
    the same slices for the same --seed, so a resumed run trains each process on the data
    it had. Only the slice travels, as plain MPI buffers (chainermn.scatter_dataset would
    pickle the whole set to every process: 640 MB at the peak of process 0 for MNIST)."""
    if comm is None:
        return load_dataset()
    if comm.rank != 0:
        return _receive(comm)
    dataset = load_dataset()
    order = numpy.random.RandomState(seed).permutation(len(dataset))
    share = -(-len(dataset) // comm.size)
    for rank in reversed(range(comm.size)):     # process 0's own slice last
        part = _take(dataset, numpy.take(order, range(rank * share, (rank + 1) * share),
                                         mode='wrap'))
        if rank:
            _send(comm, part, rank)
            del part
    return part


def _parts(dataset):
    """The arrays (or datasets) a chainer.datasets.TupleDataset holds; None for others."""
    return getattr(dataset, '_datasets', None) if isinstance(dataset, TupleDataset) else None


def _take(dataset, indices):
    """The examples `indices` of `dataset` as a dataset of their own (arrays, not views)."""
    if isinstance(dataset, numpy.ndarray):
        return dataset[indices]
    if _parts(dataset) is not None:
        return TupleDataset(*[_take(part, indices) for part in _parts(dataset)])
    return [dataset[int(i)] for i in indices]


def _arrays(part):
    """The arrays that make up a slice, to send as MPI buffers; None to send it pickled."""
    if isinstance(part, numpy.ndarray):
        return [part]
    parts = _parts(part)
    if parts is not None and all(isinstance(p, numpy.ndarray) for p in parts):
        return list(parts)
    return None


def _send(comm, part, dest):
    arrays = _arrays(part)
    if arrays is None:
        comm.send_obj(('object', part), dest=dest)
        return
    comm.send_obj(('arrays', isinstance(part, TupleDataset),
                   [(a.shape, a.dtype.str) for a in arrays]), dest=dest)
    for array in arrays:
        comm.mpi_comm.Send(numpy.ascontiguousarray(array), dest=dest)


def _receive(comm):
    message = comm.recv_obj(source=0)
    if message[0] == 'object':
        return message[1]
    _, is_tuple, specs = message
    arrays = [numpy.empty(shape, dtype) for shape, dtype in specs]
    for array in arrays:
        comm.mpi_comm.Recv(array, source=0)
    return TupleDataset(*arrays) if is_tuple else arrays[0]
