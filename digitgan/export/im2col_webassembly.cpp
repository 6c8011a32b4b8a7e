void %%FUNC_NAME%%(const int * %%META_BUFFER%%)
{
    const float *im = %%LOAD_BUFFER(im2col_im)%%;
    float *col = %%LOAD_BUFFER(im2col_col)%%;

    const int N = %%LOAD_BUFFER(im2col_N)%%;
    const int C1 = %%LOAD_BUFFER(im2col_C1)%%;
    const int H1 = %%LOAD_BUFFER(im2col_H1)%%;
    const int W1 = %%LOAD_BUFFER(im2col_W1)%%;
    const int H2 = %%LOAD_BUFFER(im2col_H2)%%;
    const int W2 = %%LOAD_BUFFER(im2col_W2)%%;
    const int KH = %%LOAD_BUFFER(im2col_KH)%%;
    const int KW = %%LOAD_BUFFER(im2col_KW)%%;
    const int DH = %%LOAD_BUFFER(im2col_DH)%%;
    const int DW = %%LOAD_BUFFER(im2col_DW)%%;
    const int SH = %%LOAD_BUFFER(im2col_SH)%%;
    const int SW = %%LOAD_BUFFER(im2col_SW)%%;
    const int PH = %%LOAD_BUFFER(im2col_PH)%%;
    const int PW = %%LOAD_BUFFER(im2col_PW)%%;

    for (int n = 0; n < N; n++) {
        for (int h2 = 0; h2 < H2; h2++) {
            for (int w2 = 0; w2 < W2; w2++) {
                for (int kh = 0; kh < KH; kh++) {
                    const int h1 = h2 * SH - PH + kh * DH;
                    for (int kw = 0; kw < KW; kw++, col += C1) {
                        const int w1 = w2 * SW - PW + kw * DW;
                        if (h1 < 0 || h1 >= H1 || w1 < 0 || w1 >= W1) {
                            for (int c1 = 0; c1 < C1; c1++) col[c1] = 0;
                            continue;
                        }
                        const float *src = im + ((n * H1 + h1) * W1 + w1) * C1;
                        for (int c1 = 0; c1 < C1; c1++) col[c1] = src[c1];
                    }
                }
            }
        }
    }
}
