
#include <stdlib.h>
#include <math.h>

float static_buffer[899981];
float* dynamic_buffer = nullptr;

int meta_buf_0[] = {898881,0,789121,10,3136,110};
int meta_buf_1[] = {344960,789121,789121,3136,3136,3136,10};
int meta_buf_2[] = {789121,820481,31360};
int meta_buf_3[] = {820481,851841,3136,49,3136,64,10,64,49};
int meta_buf_4[] = {851841,348096,381441,490,512,64};
int meta_buf_5[] = {695041,381441,10,7,7,32,14,14,4,4,2,2,1,1};
int meta_buf_6[] = {380896,380864,695041,632321,32,32,32,1960};
int meta_buf_7[] = {632321,380928,757761,1960,16,32};
int meta_buf_8[] = {883201,757761,10,14,14,1,28,28,4,4,2,2,1,1};
int meta_buf_9[] = {381440,883201,891041,7840};
int* meta_buffers[] = {meta_buf_0,meta_buf_1,meta_buf_2,meta_buf_3,meta_buf_4,meta_buf_5,meta_buf_6,meta_buf_7,meta_buf_8,meta_buf_9};

extern "C" void init() {
    //static_buffer = (float*)malloc(899981 * sizeof(float));
}

extern "C" float* get_static_buffer(void) {
    return static_buffer;
}

extern "C" float* allocate_dynamic_buffer(int count) {
    if (dynamic_buffer) {
        free(dynamic_buffer);
        dynamic_buffer = nullptr;
    }
    dynamic_buffer = (float*)malloc(count * sizeof(float));
    return dynamic_buffer;
}

extern "C" float* get_dynamic_buffer(void) {
    return dynamic_buffer;
}
extern "C" void set_placeholder_value(int kernel_order, int offset, int value) {
    meta_buffers[kernel_order][offset] = value;
}

#ifndef INCLUDE_EIGEN
#define INCLUDE_EIGEN
#include <Eigen/Dense>
#endif

void tensordot_b0c87b9ad9c24d5c638538a68fd9e1ad2b472c70c0e98883fad5c6af(const int * meta_buffer)
{
    float *A = (static_buffer + meta_buffer[0]);
    float *B = (static_buffer + meta_buffer[1]);
    float *C = (static_buffer + meta_buffer[2]);

    Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> > a_mat(A, meta_buffer[3], meta_buffer[5]);
    Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor> > b_mat(B, meta_buffer[5], meta_buffer[4]);
    Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> > c_mat(C, meta_buffer[3], meta_buffer[4]);

    c_mat.noalias() = a_mat * b_mat;
}


void fusedelementwise_39f491a753592bd6d9a83c6f76917012b5eb3c0ac597e095aa174319(const int * meta_buffer)
{
    const float * v1 = (static_buffer + meta_buffer[0]);
    const float * v2 = (static_buffer + meta_buffer[1]);
    float * v3 = (static_buffer + meta_buffer[2]);
    const int v4 = meta_buffer[3];
    const int v5 = meta_buffer[4];
    const int D0 = meta_buffer[5];
    const int D1 = meta_buffer[6];
    int d0;
    for (d0 = ((1 > 8) ? (0 % (1 / 8)) : 0); d0 < D0; d0 += ((1 > 8) ? (1 / 8) : 1)) {
        const float v6 = v1[d0];
        int d1;
        for (d1 = ((1 > 8) ? (0 / (1 / 8)) : 0); d1 < D1; d1 += ((1 > 8) ? 8 : 1)) {
            const float v7 = v2[d0 + d1*v4];
            float v8;
            {
                v8 = v7 + v6;
            }
            float v9;
            {
                v9 = v8 > 0 ? v8 : 0;
            }
            v3[d0 + d1*v5] = v9;
        }
    }
}


void reshape_f6c88dc1fd9479f62d789912530e6a5c7c51c73de368540e8b8e1ceb(const int * meta_buffer )
{
    const float *x = (static_buffer + meta_buffer[0]);
    float *y = (static_buffer + meta_buffer[1]);

    const int N = meta_buffer[2];

    for (int gid = 0; gid < N; gid += 1) {
        y[gid] = x[gid];
    }
}


void transpose_18a4b2b0cfc8f78685b61e9060c0504d762d1ceee67d4232968d4c65(const int * meta_buffer)
{
    const float * v1 = (static_buffer + meta_buffer[0]);
    float * v2 = (static_buffer + meta_buffer[1]);
    const int v3 = meta_buffer[2];
    const int v4 = meta_buffer[3];
    const int v5 = meta_buffer[4];
    const int v6 = meta_buffer[5];
    const int D0 = meta_buffer[6];
    const int D1 = meta_buffer[7];
    const int D2 = meta_buffer[8];
    int d0;
    for (d0 = 0; d0 < D0; d0 += 1) {
        int d1;
        for (d1 = ((1 > 8) ? (0 % (1 / 8)) : 0); d1 < D1; d1 += ((1 > 8) ? (1 / 8) : 1)) {
            int d2;
            for (d2 = ((1 > 8) ? (0 / (1 / 8)) : 0); d2 < D2; d2 += ((1 > 8) ? 8 : 1)) {
                const float v7 = v1[d0*v3 + d1*v4 + d2];
                float v8;
                {
                    v8 = v7;
                }
                v2[d0*v5 + d1 + d2*v6] = v8;
            }
        }
    }
}

void col2im_7be3f0980423ae4296c98eda68c8d7b7c3a75b8ec04ff5a9e3917d44(const int * meta_buffer)
{
    const float *col = (static_buffer + meta_buffer[1]);
    float *im = (static_buffer + meta_buffer[0]);

    const int N = meta_buffer[2];
    const int C1 = meta_buffer[5];
    const int H1 = meta_buffer[6];
    const int W1 = meta_buffer[7];
    const int H2 = meta_buffer[3];
    const int W2 = meta_buffer[4];
    const int KH = meta_buffer[8];
    const int KW = meta_buffer[9];
    const int SH = meta_buffer[10];
    const int SW = meta_buffer[11];
    const int PH = meta_buffer[12];
    const int PW = meta_buffer[13];

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


void fusedelementwise_14fa2da6de1a835ea9d3c04583df503ea797b3eb992eb510f386351b(const int * meta_buffer)
{
    const float * v1 = (static_buffer + meta_buffer[0]);
    const float * v2 = (static_buffer + meta_buffer[1]);
    const float * v3 = (static_buffer + meta_buffer[2]);
    float * v4 = (static_buffer + meta_buffer[3]);
    const int v5 = meta_buffer[4];
    const int v6 = meta_buffer[5];
    const int D0 = meta_buffer[6];
    const int D1 = meta_buffer[7];
    int d0;
    for (d0 = ((1 > 8) ? (0 % (1 / 8)) : 0); d0 < D0; d0 += ((1 > 8) ? (1 / 8) : 1)) {
        const float v7 = v1[d0];
        const float v8 = v2[d0];
        int d1;
        for (d1 = ((1 > 8) ? (0 / (1 / 8)) : 0); d1 < D1; d1 += ((1 > 8) ? 8 : 1)) {
            const float v9 = v3[d0 + d1*v5];
            float v10;
            {
                v10 = v9 * v7;
            }
            float v11;
            {
                v11 = v10 + v8;
            }
            float v12;
            {
                v12 = v11 > 0 ? v11 : 0;
            }
            v4[d0 + d1*v6] = v12;
        }
    }
}


void fusedelementwise_8cc82283ee56269eeadd675215f5e9575511f18325de710bc5bc7a36(const int * meta_buffer)
{
    const float * v1 = (static_buffer + meta_buffer[0]);
    const float * v2 = (static_buffer + meta_buffer[1]);
    float * v3 = (static_buffer + meta_buffer[2]);
    const int D0 = meta_buffer[3];
    int d0;
    for (d0 = 0; d0 < D0; d0 += 1) {
        const float v4 = v1[0];
        const float v5 = v2[d0];
        float v6;
        {
            v6 = v5 + v4;
        }
        float v7;
        {
            v7 = tanh(0.5f * v6) * 0.5f + 0.5f;
        }
        v3[d0] = v7;
    }
}

extern "C" void run() {
tensordot_b0c87b9ad9c24d5c638538a68fd9e1ad2b472c70c0e98883fad5c6af(meta_buf_0);
fusedelementwise_39f491a753592bd6d9a83c6f76917012b5eb3c0ac597e095aa174319(meta_buf_1);
reshape_f6c88dc1fd9479f62d789912530e6a5c7c51c73de368540e8b8e1ceb(meta_buf_2);
transpose_18a4b2b0cfc8f78685b61e9060c0504d762d1ceee67d4232968d4c65(meta_buf_3);
tensordot_b0c87b9ad9c24d5c638538a68fd9e1ad2b472c70c0e98883fad5c6af(meta_buf_4);
col2im_7be3f0980423ae4296c98eda68c8d7b7c3a75b8ec04ff5a9e3917d44(meta_buf_5);
fusedelementwise_14fa2da6de1a835ea9d3c04583df503ea797b3eb992eb510f386351b(meta_buf_6);
tensordot_b0c87b9ad9c24d5c638538a68fd9e1ad2b472c70c0e98883fad5c6af(meta_buf_7);
col2im_7be3f0980423ae4296c98eda68c8d7b7c3a75b8ec04ff5a9e3917d44(meta_buf_8);
fusedelementwise_8cc82283ee56269eeadd675215f5e9575511f18325de710bc5bc7a36(meta_buf_9);

}

