void %%FUNC_NAME%%(const int * %%META_BUFFER%%)
{
    const float *col = %%LOAD_BUFFER(col2im_col)%%;
    float *im = %%LOAD_BUFFER(col2im_im)%%;

    const int N = %%LOAD_BUFFER(col2im_N)%%;
    const int C1 = %%LOAD_BUFFER(col2im_C1)%%;
    const int H1 = %%LOAD_BUFFER(col2im_H1)%%;
    const int W1 = %%LOAD_BUFFER(col2im_W1)%%;
    const int H2 = %%LOAD_BUFFER(col2im_H2)%%;
    const int W2 = %%LOAD_BUFFER(col2im_W2)%%;
    const int KH = %%LOAD_BUFFER(col2im_KH)%%;
    const int KW = %%LOAD_BUFFER(col2im_KW)%%;
    const int SH = %%LOAD_BUFFER(col2im_SH)%%;
    const int SW = %%LOAD_BUFFER(col2im_SW)%%;
    const int PH = %%LOAD_BUFFER(col2im_PH)%%;
    const int PW = %%LOAD_BUFFER(col2im_PW)%%;

    for (int n = 0; n < N; n++) {
        for (int h1 = 0; h1 < H1; h1++) {
            for (int w1 = 0; w1 < W1; w1++) {
                float *out = im + ((n * H1 + h1) * W1 + w1) * C1;
                for (int c1 = 0; c1 < C1; c1++) out[c1] = 0;
                for (int kh = (h1 + PH) % SH; kh < KH; kh += SH) {
                    const int h2 = (h1 + PH - kh) / SH;
                    if (h2 < 0 || h2 >= H2) continue;
                    for (int kw = (w1 + PW) % SW; kw < KW; kw += SW) {
                        const int w2 = (w1 + PW - kw) / SW;
                        if (w2 < 0 || w2 >= W2) continue;
                        const float *src = col + ((((n * H2 + h2) * W2 + w2) * KH + kh) * KW + kw) * C1;
                        for (int c1 = 0; c1 < C1; c1++) out[c1] += src[c1];
                    }
                }
            }
        }
    }
}
