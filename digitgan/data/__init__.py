"""The data stage: labelled 28x28 images, ink = 1 on a background of 0.

    idx_files     IDX sets (MNIST, Fashion-MNIST, any other): find, md5-check, download, read
    catalog       the sets by name, with their label names and where each one comes from
    image_folder  your own labelled images: one subfolder per label
    sources       --dataset / --data-dir / --image-folder for every script: a `Source`
    image_file    an image file as a luminance array, refused safely when it cannot be read
    dataset_slices  each training process's own slice of a data set (multi-process training)
"""
